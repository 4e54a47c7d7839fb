# The agent-server's health endpoints; /server_info reports the stand-in base's version, after the baked delay.
serve_ok() { respond '200 OK' '{"status":"ok"}'; }
serve_server_info() {
  [ -s /etc/stand-in/server-info-delay ] && sleep "$(cat /etc/stand-in/server-info-delay)"
  respond '200 OK' "$(cat /srv/agent-server/server_info)"
}
route GET /alive serve_ok
route GET /health serve_ok
route GET /ready serve_ok
route GET /server_info serve_server_info
