# The agent-server's command API (software-agent-sdk bash_router.py, bash_service.py), as the stand-in serves it:
#   POST /api/bash/start_bash_command {"command","cwd","timeout"} -> a BashCommand; the command runs with /bin/sh in
#     the background, in a process group of its own, in the server's working directory and environment
#     (SESSION_API_KEY removed, as the server's sanitized_env does); at `timeout` seconds the group gets SIGTERM, a
#     second later SIGKILL, and the exit code is -1.
#   GET /api/bash/bash_events/search?command_id__eq=&kind__eq=&order__gt= -> a BashEventPage: the BashCommand and,
#     once the command ended, its one BashOutput (order 0; the stand-in never splits output into pieces).
# Commands keep their files under $BASH_EVENTS (the server's OH_BASH_EVENTS_DIR, or /tmp).
BASH_EVENTS=${OH_BASH_EVENTS_DIR:-/tmp/bash_events}/stand-in

# The value of a top-level JSON string or number field of $BODY, unescaped.
bash_json_field() {
  printf '%s' "$BODY" | awk -v name="$1" '
    { text = text (NR > 1 ? "\n" : "") $0 }
    END {
      at = index(text, "\"" name "\"")
      if (at == 0) exit
      rest = substr(text, at + length(name) + 2)
      sub(/^[ \t]*:[ \t]*/, "", rest)
      if (substr(rest, 1, 1) != "\"") { if (match(rest, /^[-0-9.]+/)) printf "%s", substr(rest, 1, RLENGTH); exit }
      out = ""
      for (i = 2; i <= length(rest); i++) {
        c = substr(rest, i, 1)
        if (c == "\"") break
        if (c == "\\") {
          i++; d = substr(rest, i, 1)
          if (d == "n") out = out "\n"; else if (d == "t") out = out "\t"; else if (d == "r") out = out "\r"
          else if (d == "u") { out = out "?"; i += 4 } else out = out d
        } else out = out c
      }
      printf "%s", out
    }'
}

# A JSON string of a file's text (line breaks kept), or null when it is empty.
bash_json_text() {
  if [ ! -s "$1" ]; then printf null; return; fi
  awk '{ gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); gsub(/\t/, "\\t"); gsub(/\r/, "\\r"); text = text (NR > 1 ? "\\n" : "") $0 }
    END { printf "\"%s", text }' "$1"
  # awk drops the last line break: put it back.
  if [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ]; then printf '\\n'; fi
  printf '"'
}

bash_now() { date -u +%Y-%m-%dT%H:%M:%S.000000Z; }

bash_command_event() {
  printf '{"kind":"BashCommand","id":"%s","timestamp":"%s","command":%s,"cwd":null,"timeout":%s}' \
    "$1" "$(cat "$2/timestamp")" "$(bash_json_text "$2/command")" "$(cat "$2/timeout")"
}

bash_output_event() {
  printf '{"kind":"BashOutput","id":"%s-output","timestamp":"%s","command_id":"%s","order":0,"exit_code":%s,"stdout":%s,"stderr":%s}' \
    "$1" "$(bash_now)" "$1" "$(cat "$2/exit")" "$(bash_json_text "$2/stdout")" "$(bash_json_text "$2/stderr")"
}

bash_query_param() { printf '%s' "$QUERY" | tr '&' '\n' | sed -n "s/^$1=//p" | head -n 1; }

bash_start() {
  read_body
  id=$(cat /proc/sys/kernel/random/uuid)
  dir="$BASH_EVENTS/$id"
  mkdir -p "$dir" || { respond '500 Internal Server Error' '{"detail":"cannot write the bash events"}'; return; }
  bash_json_field command >"$dir/command"
  timeout=$(bash_json_field timeout)
  echo "${timeout:-300}" >"$dir/timeout"
  bash_now >"$dir/timestamp"
  (
    env -u SESSION_API_KEY setsid /bin/sh -c "$(cat "$dir/command")" >"$dir/stdout" 2>"$dir/stderr" </dev/null &
    pid=$!
    # The watcher has a process group of its own, so its sleep goes with it when the command ends first.
    setsid /bin/sh -c 'sleep "$1"; touch "$2/killed"; kill -TERM -"$3" 2>/dev/null; sleep 1; kill -KILL -"$3" 2>/dev/null' \
      watcher "$(cat "$dir/timeout")" "$dir" "$pid" &
    watcher=$!
    wait "$pid"
    code=$?
    kill -KILL -"$watcher" 2>/dev/null
    [ -e "$dir/killed" ] && code=-1
    echo "$code" >"$dir/exit.new" && mv "$dir/exit.new" "$dir/exit"
  ) >/dev/null 2>&1 </dev/null &
  respond '200 OK' "$(bash_command_event "$id" "$dir")"
}

bash_search() {
  id=$(bash_query_param command_id__eq)
  dir="$BASH_EVENTS/$id"
  items=''
  if [ -n "$id" ] && [ -d "$dir" ]; then
    kind=$(bash_query_param kind__eq)
    after=$(bash_query_param order__gt)
    [ "$kind" = BashOutput ] || items=$(bash_command_event "$id" "$dir")
    if [ -e "$dir/exit" ] && [ "$kind" != BashCommand ] && { [ -z "$after" ] || [ "$after" -lt 0 ]; }; then
      items="${items:+$items,}$(bash_output_event "$id" "$dir")"
    fi
  fi
  respond '200 OK' "{\"items\":[$items],\"next_page_id\":null}"
}

route POST /api/bash/start_bash_command bash_start
route GET /api/bash/bash_events/search bash_search
