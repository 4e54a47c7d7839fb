import { apiFailure, noAnswer } from '../../src/release/github.js'

/** What Octokit throws for an HTTP answer: status, response headers and body. */
const answered = (status: number, headers: Record<string, string>, message?: string) => ({
  status,
  response: { status, headers, data: message === undefined ? '' : { message } }
})
const context = { repository: 'OpenHands/OpenHands-Cloud', apiUrl: 'https://ghe.example.com/api/v3', token: true }
const now = new Date('2026-11-30T12:00:00Z')
const what = 'reading the openhands/* tags of OpenHands/OpenHands-Cloud'
const fallback = 'or set release-map to a workspace file of OHE release: agent-server tag lines'

describe('apiFailure', () => {
  it.each([
    [
      'primary rate limit (403, remaining 0, reset)',
      answered(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Date.parse('2026-11-30T12:30:00Z') / 1000) }),
      `GitHub API rate limit reached at https://ghe.example.com/api/v3 ${what} with github-token (HTTP 403; it resets at 2026-11-30T12:30:00.000Z, in 30 min): wait for the reset, set github-token to a token with a higher limit, ${fallback}.`
    ],
    [
      'secondary rate limit (403 with retry-after)',
      answered(403, { 'Retry-After': '60' }, 'You have exceeded a secondary rate limit'),
      `GitHub API rate limit reached at https://ghe.example.com/api/v3 ${what} with github-token (HTTP 403; retry after 60 s): wait for the reset, set github-token to a token with a higher limit, ${fallback}.`
    ],
    [
      '429 with retry-after',
      answered(429, { 'retry-after': '5' }),
      `GitHub API rate limit reached at https://ghe.example.com/api/v3 ${what} with github-token (HTTP 429; retry after 5 s): wait for the reset, set github-token to a token with a higher limit, ${fallback}.`
    ],
    [
      'a server error',
      answered(502, {}, 'Server Error'),
      `The GitHub API at https://ghe.example.com/api/v3 failed ${what} (HTTP 502: Server Error): retry later, ${fallback}.`
    ]
  ])('%s', (_name, thrown, message) => {
    expect(apiFailure(thrown, what, context, now).message).toBe(message)
  })
})

describe('noAnswer: an API that accepted the connection and sent nothing', () => {
  it.each([
    [{ ms: 30_000, all: false }, 'within 30 s'],
    [{ ms: 60_000, all: true }, 'within the 60 s the release lookup may take in all']
  ])('%j', (wait, within) => {
    expect(noAnswer(what, context, wait).message).toBe(
      `The GitHub API host ghe.example.com (https://ghe.example.com/api/v3) did not answer ${what} ${within}: it may accept connections and never respond ` +
        `(a proxy, a GHES under load); check GITHUB_API_URL and the runner's network, retry later, ${fallback}, or pin agent-server-version.`
    )
  })
})
