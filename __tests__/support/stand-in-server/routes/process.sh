# What the server process got: its environment, working directory, user and groups (a test asserts the runtime spec
# reached it). Under /api/, so it needs the session key.
serve_process() {
  env_json=''
  for name in $(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' | sort -u); do
    eval "value=\${$name}"
    env_json="$env_json${env_json:+,}$(json_string "$name"):$(json_string "$value")"
  done
  respond '200 OK' "{\"cwd\":$(json_string "$(pwd)"),\"id\":$(json_string "$(id)"),\"env\":{$env_json}}"
}
route GET /api/stand-in/process serve_process
