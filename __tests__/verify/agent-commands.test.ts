/**
 * The command API client against an in-process stand-in of the agent-server's bash routes (software-agent-sdk
 * bash_router.py): start_bash_command answers a BashCommand, bash_events/search pages the command's events with
 * kind__eq, command_id__eq, order__gt, limit and next_page_id as the server does, and /api/* needs the session key.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { runThroughApi, startCommand, type CommandApi } from '../../src/verify/agent-commands.js'
import type { BashEvent } from '../../src/verify/sandbox-command-core.js'

const KEY = 'stand-in-session-key'

interface StandIn {
  api: CommandApi
  /** `METHOD path` per request, with the body of POSTs. */
  requests: string[]
  close(): Promise<void>
}

/**
 * `outputs(command)`: the BashOutput events a command produces, one more revealed per search (a command that runs
 * for a few polls). `pageSize` caps a page as the server's `limit` does.
 */
async function standIn(options: {
  outputs?: (command: string) => Array<Omit<BashEvent, 'command_id' | 'kind'>>
  /** The status a server without the command API answers. */
  absent?: number
  pageSize?: number
}): Promise<StandIn> {
  const requests: string[] = []
  const commands = new Map<string, { events: BashEvent[]; revealed: number }>()
  let next = 0
  const server: Server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString()))
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://stand-in')
      requests.push(`${request.method ?? ''} ${url.pathname}${url.search}${body ? ` ${body}` : ''}`)
      const send = (status: number, json: unknown): void => {
        response.writeHead(status, { 'content-type': 'application/json' })
        response.end(JSON.stringify(json))
      }
      if (options.absent) return send(options.absent, { detail: 'no command API' })
      if (!url.pathname.startsWith('/api/bash/')) return send(404, { detail: 'Not Found' })
      if (request.headers['x-session-api-key'] !== KEY) return send(401, { detail: 'Unauthorized' })
      if (request.method === 'POST' && url.pathname === '/api/bash/start_bash_command') {
        const { command, cwd, timeout } = JSON.parse(body) as { command: string; cwd: null; timeout: number }
        const id = `00000000-0000-4000-8000-${String(++next).padStart(12, '0')}`
        const events = (options.outputs?.(command) ?? []).map(event => ({ kind: 'BashOutput', command_id: id, ...event }))
        commands.set(id, { events, revealed: 0 })
        return send(200, { kind: 'BashCommand', id, timestamp: '2026-12-07T12:00:00Z', command, cwd, timeout })
      }
      if (request.method === 'GET' && url.pathname === '/api/bash/bash_events/search') {
        const state = commands.get(url.searchParams.get('command_id__eq') ?? '')
        if (!state) return send(200, { items: [], next_page_id: null })
        if (!url.searchParams.has('page_id')) state.revealed = Math.min(state.events.length, state.revealed + 1)
        const after = Number(url.searchParams.get('order__gt') ?? '-1')
        const visible = state.events.slice(0, state.revealed)
        const start = Number(url.searchParams.get('page_id') ?? '0')
        const limit = Math.min(options.pageSize ?? 100, Number(url.searchParams.get('limit') ?? '100'))
        // As the server does: the page is cut before order__gt filters it.
        const page = visible.slice(start, start + limit)
        const items = page.filter(event => (event.order ?? 0) > after)
        return send(200, { items, next_page_id: start + limit < visible.length ? String(start + limit) : null })
      }
      send(405, { detail: 'Method Not Allowed' })
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    api: { baseUrl: `http://127.0.0.1:${port}`, sessionKey: KEY },
    requests,
    close: () => new Promise(resolve => server.close(() => resolve()))
  }
}

const servers: StandIn[] = []
async function serve(options: Parameters<typeof standIn>[0]): Promise<StandIn> {
  const server = await standIn(options)
  servers.push(server)
  return server
}
afterAll(async () => {
  for (const server of servers) await server.close()
})

describe('runThroughApi', () => {
  it('starts the command with the server-side timeout and the session key, and folds its events into the exit code and output', async () => {
    const server = await serve({
      outputs: () => [
        { order: 0, stdout: 'linking /opt/project-seed\n' },
        { order: 1, stderr: 'warning: cache cold\n' },
        { order: 2, exit_code: 0, stdout: 'ready\n' }
      ]
    })
    const run = await runThroughApi(server.api, 'prepare-project --fast', 90_000, 5)
    expect(run).not.toBe('absent')
    if (run === 'absent') return
    expect(run.problem).toBeUndefined()
    expect(run.progress).toEqual({ lastOrder: 2, exitCode: 0, stdout: ['linking /opt/project-seed', 'ready', ''], stderr: ['warning: cache cold', ''] })
    expect(server.requests[0]).toBe('POST /api/bash/start_bash_command {"command":"prepare-project --fast","cwd":null,"timeout":90}')
    // Each poll after the first asks only for what is new.
    expect(server.requests.slice(1).map(line => new URL(line.split(' ')[1] ?? '', 'http://x').searchParams.get('order__gt'))).toEqual([null, '0', '1'])
  })

  it('follows next_page_id when the output spans pages', async () => {
    const pieces = Array.from({ length: 7 }, (_, order) => ({ order, stdout: `piece ${order}\n` }))
    const server = await serve({ outputs: () => [...pieces, { order: 7, exit_code: 4, stderr: 'failed\n' }], pageSize: 3 })
    // One event more per poll, three per page, cut before order__gt filters: later polls must page past old events.
    const run = await runThroughApi(server.api, 'x', 60_000, 5)
    if (run === 'absent') throw new Error('unexpected')
    expect(run.progress.exitCode).toBe(4)
    expect(run.progress.stdout.filter(Boolean)).toEqual(pieces.map(piece => `piece ${piece.order}`))
    expect(run.progress.stderr).toEqual(['failed', ''])
  })

  it('reports the exit code -1 the server gives a command it killed at its timeout', async () => {
    const server = await serve({ outputs: () => [{ order: 0, exit_code: -1, stdout: 'still syncing\n' }] })
    const run = await runThroughApi(server.api, 'sleep 999', 1_000, 5)
    if (run === 'absent') throw new Error('unexpected')
    expect(run.progress.exitCode).toBe(-1)
    expect(server.requests[0]).toContain('"timeout":1}')
  })

  it.each([404, 405, 501])("answers 'absent' when the server has no command API (%i), the fallback's only trigger", async status => {
    const server = await serve({ absent: status })
    expect(await runThroughApi(server.api, 'prepare-project', 60_000, 5)).toBe('absent')
  })

  it('a server error is a failure, not a missing API', async () => {
    const server = await serve({ absent: 500 })
    expect(await startCommand(server.api, 'true', 60)).toEqual({ kind: 'failed', problem: 'start_bash_command answered HTTP 500: {"detail":"no command API"}' })
  })

  it('fails with what the server answered when the session key is refused', async () => {
    const server = await serve({})
    expect(await startCommand({ ...server.api, sessionKey: 'wrong' }, 'true', 60)).toEqual({
      kind: 'failed',
      problem: 'start_bash_command answered HTTP 401: {"detail":"Unauthorized"}'
    })
  })

  it('fails when nothing answers', async () => {
    const server = await standIn({})
    await server.close()
    const started = await startCommand(server.api, 'true', 60)
    expect(started).toEqual({ kind: 'failed', problem: 'start_bash_command answered nothing (ECONNREFUSED)' })
  })
})
