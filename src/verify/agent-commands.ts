/**
 * A command run the way the agent runs one: through the agent-server's own command API (software-agent-sdk
 * `bash_router.py`), so the user, working directory, environment and shell are the server's. The command is started
 * in the background (`POST /api/bash/start_bash_command` with the server-side `timeout`, at which the server kills
 * its process group and reports exit code -1) and its `BashOutput` events are polled from `bash_events/search`
 * until the last one carries the exit code. Not `execute_bash_command`: that holds one HTTP request open for the
 * whole command, past fetch's own header deadline for long helpers.
 */
import { describeError } from '../errors.js'
import { foldBashEvents, NO_PROGRESS, parseEventPage, type CommandProgress } from './sandbox-command-core.js'

export interface CommandApi {
  /** The server's base URL on loopback, e.g. http://127.0.0.1:43123 */
  baseUrl: string
  sessionKey: string
}

export type Started = { kind: 'started'; id: string } | { kind: 'absent'; status: number } | { kind: 'failed'; problem: string }

/** One request's own deadline: the server answers these at once, the command runs in the background. */
const REQUEST_MS = 15_000
/** After the server-side timeout, the server needs a moment to kill the group and write the last event. */
export const RESULT_GRACE_MS = 15_000
const MAX_PAGES = 50

/**
 * What a server without the command API answers: FastAPI's 404 for an unknown route, 405 where the path exists for
 * other methods, 501 from a server that serves no POST at all.
 */
const NO_ROUTE = new Set([404, 405, 501])

/** POST start_bash_command; `absent` when the server has no such route, the fallback's only trigger. */
export async function startCommand(api: CommandApi, command: string, timeoutSeconds: number): Promise<Started> {
  const answer = await request(api, '/api/bash/start_bash_command', {
    method: 'POST',
    body: JSON.stringify({ command, cwd: null, timeout: timeoutSeconds })
  })
  if (NO_ROUTE.has(answer.status)) return { kind: 'absent', status: answer.status }
  if (answer.status !== 200) return { kind: 'failed', problem: `start_bash_command answered ${described(answer)}` }
  try {
    const id = (JSON.parse(answer.body) as { id?: unknown }).id
    if (typeof id === 'string' && id !== '') return { kind: 'started', id }
  } catch {
    // reported below
  }
  return { kind: 'failed', problem: `start_bash_command answered without a command id: ${answer.body.slice(0, 120)}` }
}

/** Every BashOutput of the command newer than `progress.lastOrder`, following next_page_id. */
export async function pollCommand(api: CommandApi, id: string, progress: CommandProgress): Promise<CommandProgress | string> {
  let folded = progress
  let pageId: string | null = null
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({ kind__eq: 'BashOutput', command_id__eq: id, limit: '100' })
    if (folded.lastOrder >= 0) query.set('order__gt', String(folded.lastOrder))
    if (pageId !== null) query.set('page_id', pageId)
    const answer = await request(api, `/api/bash/bash_events/search?${query.toString()}`, { method: 'GET' })
    if (answer.status !== 200) return `bash_events/search answered ${described(answer)}`
    const parsed = parseEventPage(answer.body)
    if (typeof parsed === 'string') return `bash_events/search answered ${parsed}`
    folded = foldBashEvents(folded, parsed.items, id)
    pageId = parsed.next_page_id
    if (pageId === null) break
  }
  return folded
}

export interface ApiRun {
  progress: CommandProgress
  seconds: number
  /** The API failed or the result did not come within the deadline. */
  problem?: string
}

/**
 * Starts the command and polls until its exit code arrives, or until the deadline (the server's timeout plus
 * RESULT_GRACE_MS) passes. `absent` when the route is not there.
 */
export async function runThroughApi(api: CommandApi, command: string, timeoutMs: number, pollMs = 500): Promise<ApiRun | 'absent'> {
  const started = Date.now()
  const timeoutSeconds = Math.max(1, Math.ceil(timeoutMs / 1000))
  const begun = await startCommand(api, command, timeoutSeconds)
  if (begun.kind === 'absent') return 'absent'
  const seconds = (): number => Math.round((Date.now() - started) / 100) / 10
  if (begun.kind === 'failed') return { progress: NO_PROGRESS, seconds: seconds(), problem: begun.problem }
  const deadline = started + timeoutSeconds * 1000 + RESULT_GRACE_MS
  let progress = NO_PROGRESS
  let lastProblem: string | undefined
  for (;;) {
    const polled = await pollCommand(api, begun.id, progress)
    // A failed poll is retried until the deadline: the server may be busy with the command itself.
    if (typeof polled === 'string') lastProblem = polled
    else progress = polled
    if (progress.exitCode !== undefined) return { progress, seconds: seconds() }
    if (Date.now() + pollMs > deadline) {
      const why = lastProblem ? ` (last: ${lastProblem})` : ''
      return { progress, seconds: seconds(), problem: `no result from the agent-server within the deadline${why}` }
    }
    // Short commands answer within a poll or two; long ones are polled less often.
    await sleep(Math.min(pollMs * 4, pollMs + Math.floor((Date.now() - started) / 20)))
  }
}

interface Answer {
  status: number
  body: string
  error?: string
}

async function request(api: CommandApi, route: string, init: { method: string; body?: string }): Promise<Answer> {
  try {
    const res = await fetch(`${api.baseUrl}${route}`, {
      method: init.method,
      headers: { 'X-Session-API-Key': api.sessionKey, ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(init.body === undefined ? {} : { body: init.body }),
      signal: AbortSignal.timeout(REQUEST_MS)
    })
    return { status: res.status, body: await res.text() }
  } catch (thrown) {
    const cause = (thrown as { cause?: { code?: string } }).cause?.code
    return { status: 0, body: '', error: cause ?? describeError(thrown) }
  }
}

function described(answer: Answer): string {
  if (answer.status === 0) return `nothing (${answer.error ?? 'no answer'})`
  const detail = answer.body.trim().slice(0, 120)
  return `HTTP ${answer.status}${detail ? `: ${detail}` : ''}`
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}
