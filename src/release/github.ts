/**
 * Reads the OHE release map from a GitHub repository (OpenHands/OpenHands-Cloud by default) through the REST API with
 * @actions/github's Octokit: the `openhands/*` tag refs (one request per 100 tags, Link pagination), then one file at a
 * tag. Every failure becomes a one-line UserError that names the API, the token and what to set.
 */
import { getOctokit } from '@actions/github'
import { GitHub } from '@actions/github/lib/utils'
import { describeError, UserError } from '../errors.js'
import { OHE_TAG_PREFIX, releasesFromRefs } from './map.js'

/** Where the release map comes from: the releases, oldest first, and a file's text at one release (undefined: no such file). */
export interface ReleaseSource {
  /** e.g. "OpenHands/OpenHands-Cloud at https://api.github.com", for messages. */
  readonly name: string
  listReleases(): Promise<string[]>
  readFile(release: string, file: string): Promise<string | undefined>
}

export interface GitHubSourceOptions {
  /** `owner/name` (release-source). */
  repository: string
  /** github-token; empty reads without a token (60 requests an hour on github.com). */
  token: string
  /** The REST API root, GITHUB_API_URL on a runner (GHES: https://host/api/v3). */
  apiUrl: string
  /** Per request; the default suits a runner, tests shorten it. */
  timeoutMs?: number
  /** Every request of this source together (the tag list, the files, the fit range); tests shorten it. */
  budgetMs?: number
}

/** One request may wait this long for an answer. */
export const GITHUB_REQUEST_TIMEOUT_MS = 30_000
/** The whole release lookup through the API: an API that accepts connections and never answers ends it here. */
export const GITHUB_LOOKUP_BUDGET_MS = 60_000

/** The limits a source applies: the options' or the defaults. Exported so a test can pin the production values. */
export function lookupLimits(options: Pick<GitHubSourceOptions, 'timeoutMs' | 'budgetMs'>): { timeoutMs: number; budgetMs: number } {
  return { timeoutMs: options.timeoutMs ?? GITHUB_REQUEST_TIMEOUT_MS, budgetMs: options.budgetMs ?? GITHUB_LOOKUP_BUDGET_MS }
}

type Octokit = ReturnType<typeof getOctokit>

export function githubReleaseSource(options: GitHubSourceOptions): ReleaseSource {
  const [owner = '', repo = ''] = options.repository.split('/')
  const apiUrl = options.apiUrl.replace(/\/+$/, '')
  const { timeoutMs, budgetMs } = lookupLimits(options)
  const endsAt = Date.now() + budgetMs
  const settings = { baseUrl: apiUrl, request: { retries: 0 } }
  const octokit: Octokit = options.token ? getOctokit(options.token, settings) : (new GitHub(settings) as Octokit)
  const context: FailureContext = { repository: options.repository, apiUrl, token: options.token !== '' }
  /** The request's wait: its own timeout, cut to what is left of the budget; a spent budget fails at once. */
  const limit = (what: string): { signal: AbortSignal; wait: Wait } => {
    const left = endsAt - Date.now()
    if (left <= 0) throw noAnswer(what, context, { ms: budgetMs, all: true })
    const wait: Wait = left < timeoutMs ? { ms: budgetMs, all: true } : { ms: timeoutMs, all: false }
    return { signal: AbortSignal.timeout(Math.min(timeoutMs, left)), wait }
  }
  return {
    name: `${options.repository} at ${apiUrl}`,
    async listReleases() {
      const what = `reading the ${OHE_TAG_PREFIX}* tags of ${options.repository}`
      const { signal, wait } = limit(what)
      try {
        // {+ref} keeps the slashes: Octokit's {ref} would send tags%2Fopenhands%2F, which some tokens' routing refuses.
        const refs = await octokit.paginate<{ ref: string }>('GET /repos/{owner}/{repo}/git/matching-refs/{+ref}', {
          owner,
          repo,
          ref: `tags/${OHE_TAG_PREFIX}`,
          per_page: 100,
          // One signal for every page: the listing as a whole waits no longer.
          request: { signal }
        })
        return releasesFromRefs(refs.map(ref => ref.ref))
      } catch (thrown) {
        if (isTimeout(thrown)) throw noAnswer(what, context, wait)
        throw apiFailure(thrown, what, context)
      }
    },
    async readFile(release, file) {
      const what = `reading ${file} at ${OHE_TAG_PREFIX}${release} of ${options.repository}`
      const { signal, wait } = limit(what)
      try {
        // {+path} sends replicated/config.yaml as is; an escaped path (replicated%2Fconfig.yaml) is a 404 for fine-grained tokens.
        const response = await octokit.request('GET /repos/{owner}/{repo}/contents/{+path}', {
          owner,
          repo,
          path: file,
          ref: `refs/tags/${OHE_TAG_PREFIX}${release}`,
          mediaType: { format: 'raw' },
          request: { signal }
        })
        // The raw media type answers with the file's bytes: Octokit gives text for a utf-8 charset, else an ArrayBuffer.
        return fileText(response.data as unknown)
      } catch (thrown) {
        if (statusOf(thrown) === 404) return undefined
        if (isTimeout(thrown)) throw noAnswer(what, context, wait)
        throw apiFailure(thrown, what, context)
      }
    }
  }
}

function fileText(data: unknown): string | undefined {
  if (typeof data === 'string') return data
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return new TextDecoder().decode(data as ArrayBuffer)
  return undefined
}

export interface FailureContext {
  repository: string
  apiUrl: string
  /** Whether github-token was set (its value never appears in a message). */
  token: boolean
}

const FALLBACK = 'or set release-map to a workspace file of OHE release: agent-server tag lines'

/** One line for a failed API call: what was read, what the API said, which token, what to set. Exported for tests. */
export function apiFailure(thrown: unknown, what: string, context: FailureContext, now: Date = new Date()): UserError {
  const status = statusOf(thrown)
  const headers = headersOf(thrown)
  const at = `the GitHub API at ${context.apiUrl}`
  const token = context.token ? 'github-token' : 'no token (github-token is empty)'
  if (status === undefined || (status === 500 && headers === undefined)) {
    return new UserError(
      `Could not reach ${at} ${what} (${networkReason(thrown)}): check the runner's network and GITHUB_API_URL, ${FALLBACK}, or pin agent-server-version.`
    )
  }
  const rateLimited = (status === 403 || status === 429) && (headers?.['x-ratelimit-remaining'] === '0' || headers?.['retry-after'] !== undefined)
  if (rateLimited) {
    return new UserError(
      `GitHub API rate limit reached at ${context.apiUrl} ${what} with ${token} (HTTP ${status}; ${resetText(headers, now)}): ${rateAdvice(context)}.`
    )
  }
  const said = apiMessage(thrown)
  if (status === 401) {
    return new UserError(
      `${capitalize(at)} rejected ${token} (HTTP 401${said}) ${what}: set github-token to a valid token that can read ${context.repository}, ${FALLBACK}.`
    )
  }
  if (status === 403) {
    return new UserError(
      `${capitalize(at)} refused ${token} (HTTP 403${said}) ${what}: give the token read access (contents: read) to ${context.repository}, ${FALLBACK}.`
    )
  }
  if (status === 404) {
    return new UserError(
      `${capitalize(at)} found no repository ${context.repository} (HTTP 404) ${what}: check release-source (owner/name); a private repository needs a github-token that can read it; ` +
        `on GitHub Enterprise Server without it, set release-map to a workspace file of OHE release: agent-server tag lines.`
    )
  }
  return new UserError(`${capitalize(at)} failed ${what} (HTTP ${status}${said}): retry later, ${FALLBACK}.`)
}

/** How long a request waited: its own timeout, or (`all`) the whole lookup's budget. */
interface Wait {
  ms: number
  all: boolean
}

/** The API accepted the connection (or it hangs somewhere on the way) and sent no answer in time. Exported for tests. */
export function noAnswer(what: string, context: FailureContext, wait: Wait): UserError {
  const host = hostOf(context.apiUrl)
  const seconds = Math.round(wait.ms / 100) / 10
  const within = wait.all ? `within the ${seconds} s the release lookup may take in all` : `within ${seconds} s`
  return new UserError(
    `The GitHub API host ${host} (${context.apiUrl}) did not answer ${what} ${within}: it may accept connections and never respond (a proxy, a GHES ` +
      `under load); check GITHUB_API_URL and the runner's network, retry later, ${FALLBACK}, or pin agent-server-version.`
  )
}

function hostOf(apiUrl: string): string {
  try {
    return new URL(apiUrl).host
  } catch {
    return apiUrl
  }
}

/** An aborted request: the signal's timeout fired (duck-typed through causes: undici's errors come from another realm). */
function isTimeout(thrown: unknown): boolean {
  let current: unknown = thrown
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { name, cause } = current as { name?: unknown; cause?: unknown }
    if (name === 'TimeoutError' || name === 'AbortError') return true
    current = cause
  }
  return false
}

function rateAdvice(context: FailureContext): string {
  const first = context.token
    ? 'wait for the reset, set github-token to a token with a higher limit'
    : 'set github-token (a token gets a far higher limit) or wait for the reset'
  return `${first}, ${FALLBACK}`
}

function resetText(headers: Record<string, string> | undefined, now: Date): string {
  const reset = Number(headers?.['x-ratelimit-reset'])
  if (Number.isFinite(reset) && reset > 0) {
    const at = new Date(reset * 1000)
    const minutes = Math.max(0, Math.ceil((at.getTime() - now.getTime()) / 60_000))
    return `it resets at ${at.toISOString()}, in ${minutes} min`
  }
  const retry = Number(headers?.['retry-after'])
  if (Number.isFinite(retry)) return `retry after ${retry} s`
  return 'no reset time given'
}

/** The innermost cause of a failed fetch (Octokit says "Unknown Error", undici "fetch failed"): e.g. "connect ECONNREFUSED 127.0.0.1:9". */
function networkReason(thrown: unknown): string {
  let reason = describeError(thrown)
  let current: unknown = thrown
  // Duck-typed: undici's errors come from another realm than this module's Error (and jest's VM in tests).
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { name, code, message, cause } = current as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown }
    const text = typeof message === 'string' ? message : ''
    if (name === 'TimeoutError' || name === 'AbortError') return 'no answer in time'
    if (typeof code === 'string') return text.includes(code) ? text : `${code}: ${text}`
    if (text) reason = text
    current = cause
  }
  return reason
}

function statusOf(thrown: unknown): number | undefined {
  const status = (thrown as { status?: unknown } | null)?.status
  return typeof status === 'number' ? status : undefined
}

function headersOf(thrown: unknown): Record<string, string> | undefined {
  const headers = (thrown as { response?: { headers?: unknown } } | null)?.response?.headers
  if (headers === null || typeof headers !== 'object') return undefined
  return Object.fromEntries(Object.entries(headers as Record<string, unknown>).map(([name, value]) => [name.toLowerCase(), String(value)]))
}

/** The API's own `message` (e.g. "Bad credentials"), short; it never holds the token. */
function apiMessage(thrown: unknown): string {
  const data = (thrown as { response?: { data?: unknown } } | null)?.response?.data
  const message = data !== null && typeof data === 'object' ? (data as { message?: unknown }).message : undefined
  return typeof message === 'string' && message !== '' ? `: ${message.split('\n')[0]?.slice(0, 200) ?? ''}` : ''
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
