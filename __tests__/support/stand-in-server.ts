/**
 * Stand-in agent-server bases for stack tests that need a server with behaviour: FROM the e2e stack's stand-in base
 * (busybox), with /usr/local/bin/openhands-agent-server replaced by the shell HTTP server in stand-in-server/ (busybox
 * `nc -ll` runs its `handle` per connection). It honours --port, requires the session key on /api/*, answers the
 * health endpoints and GET /api/stand-in/process (its environment, working directory, user), and reads baked
 * behaviour from /etc/stand-in/. Add a route by passing a routes/<name>.sh file in `routes` (see `handle`).
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { BuildOptions } from './docker-push.js'

const SERVER_DIR = path.resolve('__tests__', 'support', 'stand-in-server')

export interface StandInBehaviour {
  /** Seconds /server_info waits before answering. */
  serverInfoDelaySeconds?: number
  /** MB the server allocates before it serves. */
  hogMegabytes?: number
}

/**
 * The Dockerfile and context files of a stand-in base FROM `from` (e.g. the stack's 1.23.0-python): pass both to
 * the pusher's push or load. `routes` adds route files by name (`bash.sh` -> routes/bash.sh).
 */
export function standInBase(
  from: string,
  behaviour: StandInBehaviour = {},
  routes: Record<string, string> = {}
): { dockerfile: string; options: BuildOptions } {
  const files: NonNullable<BuildOptions['files']> = {
    'stand-in/openhands-agent-server': { text: readFileSync(path.join(SERVER_DIR, 'openhands-agent-server'), 'utf8'), mode: 0o755 },
    'stand-in/handle': { text: readFileSync(path.join(SERVER_DIR, 'handle'), 'utf8'), mode: 0o755 }
  }
  for (const name of readdirSync(path.join(SERVER_DIR, 'routes')))
    files[`stand-in/routes/${name}`] = readFileSync(path.join(SERVER_DIR, 'routes', name), 'utf8')
  for (const [name, text] of Object.entries(routes)) files[`stand-in/routes/${name}`] = text
  if (behaviour.serverInfoDelaySeconds !== undefined) files['stand-in/etc/server-info-delay'] = `${behaviour.serverInfoDelaySeconds}\n`
  if (behaviour.hogMegabytes !== undefined) files['stand-in/etc/hog-mb'] = `${behaviour.hogMegabytes}\n`
  const dockerfile =
    `FROM ${from}\n` +
    'COPY stand-in/openhands-agent-server /usr/local/bin/openhands-agent-server\n' +
    'COPY stand-in/handle /usr/local/lib/stand-in/handle\n' +
    'COPY stand-in/routes/ /usr/local/lib/stand-in/routes/\n' +
    (behaviour.serverInfoDelaySeconds !== undefined || behaviour.hogMegabytes !== undefined ? 'COPY stand-in/etc/ /etc/stand-in/\n' : '')
  return { dockerfile, options: { files } }
}
