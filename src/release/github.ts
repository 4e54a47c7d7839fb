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
}

type Octokit = ReturnType<typeof getOctokit>

export function githubReleaseSource(options: GitHubSourceOptions): ReleaseSource {
  const [owner = '', repo = ''] = options.repository.split('/')
  const apiUrl = options.apiUrl.replace(/\/+$/, '')
  const timeoutMs = options.timeoutMs ?? 30_000
  const settings = { baseUrl: apiUrl, request: { retries: 0 } }
  const octokit: Octokit = options.token ? getOctokit(options.token, settings) : (new GitHub(settings) as Octokit)
  const context: FailureContext = { repository: options.repository, apiUrl, token: options.token !== '' }
  return {
    name: `${options.repository} at ${apiUrl}`,
    async listReleases() {
      try {
        // {+ref} keeps the slashes: Octokit's {ref} would send tags%2Fopenhands%2F, which some tokens' routing refuses.
        const refs = await octokit.paginate<{ ref: string }>('GET /repos/{owner}/{repo}/git/matching-refs/{+ref}', {
          owner,
          repo,
          ref: `tags/${OHE_TAG_PREFIX}`,
          per_page: 100,
          request: { signal: AbortSignal.timeout(timeoutMs) }
        })
        return releasesFromRefs(refs.map(ref => ref.ref))
      } catch (thrown) {
        throw apiFailure(thrown, `reading the ${OHE_TAG_PREFIX}* tags of ${options.repository}`, context)
      }
    },
    async readFile(release, file) {
      try {
        // {+path} sends replicated/config.yaml as is; an escaped path (replicated%2Fconfig.yaml) is a 404 for fine-grained tokens.
        const response = await octokit.request('GET /repos/{owner}/{repo}/contents/{+path}', {
          owner,
          repo,
          path: file,
          ref: `refs/tags/${OHE_TAG_PREFIX}${release}`,
          mediaType: { format: 'raw' },
          request: { signal: AbortSignal.timeout(timeoutMs) }
        })
        // The raw media type answers with the file's bytes: Octokit gives text for a utf-8 charset, else an ArrayBuffer.
        return fileText(response.data as unknown)
      } catch (thrown) {
        if (statusOf(thrown) === 404) return undefined
        throw apiFailure(thrown, `reading ${file} at ${OHE_TAG_PREFIX}${release} of ${options.repository}`, context)
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
