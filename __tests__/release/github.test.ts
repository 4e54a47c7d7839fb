/**
 * The release map read with real Octokit calls (@actions/github) from a stand-in GitHub API on 127.0.0.1: tag refs
 * over several pages, config.yaml and values.yaml at a tag, and the API's refusals.
 */
import { randomBytes } from 'node:crypto'
import { UserError } from '../../src/errors.js'
import { githubReleaseSource, lookupLimits } from '../../src/release/github.js'
import { fitRangeFromSource, resolveFromSource } from '../../src/release/resolve.js'
import { closedPort } from '../registry/stand-in-registry.js'
import { HISTORY, historyFiles } from './fixtures.js'
import { startStandInGitHub, type StandInGitHub, type StandInOptions } from './stand-in-github.js'

const REPOSITORY = 'OpenHands/OpenHands-Cloud'
const token = randomBytes(20).toString('hex')
const servers: StandInGitHub[] = []

async function standIn(changes: Partial<StandInOptions> = {}): Promise<StandInGitHub> {
  const server = await startStandInGitHub({
    repository: REPOSITORY,
    releases: historyFiles(),
    otherTags: ['runtime-api/1.2.3', 'image-loader/0.1.0', 'Replicated/Beta/0042', 'openhands-legacy/0.99.0'],
    pageSize: 5,
    ...changes
  })
  servers.push(server)
  return server
}

afterAll(async () => {
  await Promise.all(servers.map(server => server.close()))
})

const sourceFor = (server: StandInGitHub, repository = REPOSITORY, withToken = token) =>
  githubReleaseSource({ repository, token: withToken, apiUrl: server.url, timeoutMs: 5000 })

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (thrown) {
    expect(thrown).toBeInstanceOf(UserError)
    return (thrown as UserError).message
  }
  throw new Error('expected a UserError')
}

const contentRequests = (server: StandInGitHub) => server.requests.filter(request => request.includes('/contents/'))

describe('the tag refs', () => {
  it('follows the Link pages and keeps only openhands/X.Y.Z, oldest first, sending github-token', async () => {
    const server = await standIn()
    await expect(sourceFor(server).listReleases()).resolves.toEqual(Object.keys(HISTORY))
    const pages = server.requests.filter(request => request.includes('/git/matching-refs/'))
    expect(pages.map(request => request.replace(/ auth=.*/, ''))).toEqual([
      // Octokit drops the trailing slash; the prefix tags/openhands then also matches e.g. openhands-legacy/, which
      // releasesFromRefs leaves out.
      `GET /repos/${REPOSITORY}/git/matching-refs/tags/openhands?per_page=100`,
      `GET /repos/${REPOSITORY}/git/matching-refs/tags/openhands?per_page=100&page=2`,
      `GET /repos/${REPOSITORY}/git/matching-refs/tags/openhands?per_page=100&page=3`
    ])
    expect(pages.every(request => request.endsWith(`auth=token ${token}`))).toBe(true)
  })

  it('an empty github-token reads without an Authorization header', async () => {
    const server = await standIn()
    await sourceFor(server, REPOSITORY, '').listReleases()
    expect(server.requests.every(request => request.endsWith('auth='))).toBe(true)
  })
})

describe('resolveFromSource', () => {
  it.each([
    ['0.45.0', '1.41.0-python', 'replicated/config.yaml', 1],
    ['0.23.1', '1.36.0-python', 'replicated/config.yaml', 1],
    ['0.7.30', '1.0.0-python', 'replicated/config.yaml', 1],
    // config.yaml without the option: values.yaml answers.
    ['0.51.0', '1.42.0-python', 'charts/openhands/values.yaml', 2]
  ])('%s ships %s (%s), in %i file read(s)', async (release, tag, from, reads) => {
    const server = await standIn()
    const { mapped, releases } = await resolveFromSource({ kind: 'release', version: release }, sourceFor(server))
    expect(mapped).toEqual({
      release,
      tag,
      agentServer: { version: tag.replace('-python', ''), variant: 'python' },
      from,
      config: historyFiles()[release]?.['replicated/config.yaml']
    })
    expect(releases).toEqual(Object.keys(HISTORY))
    expect(contentRequests(server)).toHaveLength(reads)
    expect(contentRequests(server)[0]).toContain(`/contents/replicated/config.yaml?ref=refs%2Ftags%2Fopenhands%2F${release} `)
  })

  it('latest is the newest release, read from values.yaml when its config.yaml lacks the option', async () => {
    const server = await standIn()
    const { mapped } = await resolveFromSource({ kind: 'latest' }, sourceFor(server))
    expect(mapped).toMatchObject({ release: '0.51.0', tag: '1.42.0-python', from: 'charts/openhands/values.yaml' })
  })

  it('latest skips a newest release that names no tag at all', async () => {
    const server = await standIn({
      releases: { ...historyFiles(), '0.52.0': { 'replicated/config.yaml': 'apiVersion: kots.io/v1beta1\nkind: Config\nspec:\n  groups: []\n' } }
    })
    const { mapped } = await resolveFromSource({ kind: 'latest' }, sourceFor(server))
    expect(mapped.release).toBe('0.51.0')
  })

  it('a release from before the option: says neither file names it and to pin agent-server-version', async () => {
    const server = await standIn()
    expect(await failure(resolveFromSource({ kind: 'release', version: '0.7.29' }, sourceFor(server)))).toBe(
      `OHE release 0.7.29 (openhands/0.7.29 of ${REPOSITORY} at ${server.url}) names no agent-server tag: neither replicated/config.yaml has the ` +
        'custom_sandbox_image_tag option nor charts/openhands/values.yaml global.agentServerImage.tag (releases before about 0.7.30 lack both). ' +
        'Pin agent-server-version to the version it runs.'
    )
  })

  it('an unknown release: lists the nearest ones, reads no file', async () => {
    const server = await standIn()
    expect(await failure(resolveFromSource({ kind: 'release', version: '0.46.0' }, sourceFor(server)))).toBe(
      `ohe-release 0.46.0 is not an OHE release in ${REPOSITORY} at ${server.url} (nearest: 0.34.0, 0.45.0, 0.50.0): set ohe-release to one of its releases, e.g. 0.50.0.`
    )
    expect(contentRequests(server)).toEqual([])
  })

  it('a repository without openhands/ tags', async () => {
    const server = await standIn({ releases: {} })
    expect(await failure(resolveFromSource({ kind: 'latest' }, sourceFor(server)))).toBe(
      `${REPOSITORY} at ${server.url} has no openhands/X.Y.Z tags, so it names no OHE release: check release-source, or set release-map.`
    )
  })
})

describe('fitRangeFromSource', () => {
  it('0.23.1: agent-server 1.36.0 fits OHE 0.16.2 to 0.33.0, found in a bounded number of reads', async () => {
    const server = await standIn()
    const source = sourceFor(server)
    const { mapped, releases } = await resolveFromSource({ kind: 'release', version: '0.23.1' }, source)
    const before = contentRequests(server).length
    await expect(fitRangeFromSource(source, releases, mapped)).resolves.toEqual({ agentServer: '1.36.0', first: '0.16.2', last: '0.33.0', count: 5 })
    // Two binary searches over 13 releases: 8 probes at most, each one or two reads.
    expect(contentRequests(server).length - before).toBeLessThanOrEqual(16)
  })
})

describe('API refusals: one line, which token, what to set', () => {
  it('403 rate limit: the reset time from x-ratelimit-reset', async () => {
    const resetAt = Math.floor(Date.now() / 1000) + 600
    const server = await standIn({ refuse: 'rate-limit', resetAt })
    expect(await failure(sourceFor(server).listReleases())).toBe(
      `GitHub API rate limit reached at ${server.url} reading the openhands/* tags of ${REPOSITORY} with github-token ` +
        `(HTTP 403; it resets at ${new Date(resetAt * 1000).toISOString()}, in 10 min): wait for the reset, set github-token to a token with a higher limit, ` +
        'or set release-map to a workspace file of OHE release: agent-server tag lines.'
    )
  })

  it('403 rate limit without a token: says to set github-token', async () => {
    const server = await standIn({ refuse: 'rate-limit', resetAt: Math.floor(Date.now() / 1000) + 60 })
    expect(await failure(sourceFor(server, REPOSITORY, '').listReleases())).toMatch(
      /with no token \(github-token is empty\) \(HTTP 403; it resets at .+, in 1 min\): set github-token \(a token gets a far higher limit\) or wait for the reset, or set release-map/
    )
  })

  it('401: the token was rejected', async () => {
    const server = await standIn({ refuse: 'unauthorized' })
    const message = await failure(sourceFor(server).listReleases())
    expect(message).toBe(
      `The GitHub API at ${server.url} rejected github-token (HTTP 401: Bad credentials) reading the openhands/* tags of ${REPOSITORY}: ` +
        `set github-token to a valid token that can read ${REPOSITORY}, or set release-map to a workspace file of OHE release: agent-server tag lines.`
    )
    expect(message).not.toContain(token)
  })

  it('403 not a rate limit: the token may not read the repository', async () => {
    const server = await standIn({ refuse: 'forbidden' })
    expect(await failure(sourceFor(server).listReleases())).toBe(
      `The GitHub API at ${server.url} refused github-token (HTTP 403: Resource not accessible by integration) reading the openhands/* tags of ${REPOSITORY}: ` +
        `give the token read access (contents: read) to ${REPOSITORY}, or set release-map to a workspace file of OHE release: agent-server tag lines.`
    )
  })

  it('404: no such repository', async () => {
    const server = await standIn()
    expect(await failure(sourceFor(server, 'acme/no-such-repo').listReleases())).toBe(
      `The GitHub API at ${server.url} found no repository acme/no-such-repo (HTTP 404) reading the openhands/* tags of acme/no-such-repo: check release-source (owner/name); ` +
        'a private repository needs a github-token that can read it; on GitHub Enterprise Server without it, set release-map to a workspace file of OHE release: agent-server tag lines.'
    )
  })

  it('network down: says it could not reach the API and what to set', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`
    const message = await failure(githubReleaseSource({ repository: REPOSITORY, token, apiUrl: url, timeoutMs: 5000 }).listReleases())
    expect(message).toBe(
      `Could not reach the GitHub API at ${url} reading the openhands/* tags of ${REPOSITORY} (connect ECONNREFUSED ${url.slice('http://'.length)}): ` +
        "check the runner's network and GITHUB_API_URL, or set release-map to a workspace file of OHE release: agent-server tag lines, or pin agent-server-version."
    )
  })

  it('an API that never answers: gives up after the request timeout, naming the host and saying it did not answer', async () => {
    const server = await standIn({ hang: 'everything' })
    const message = await failure(
      githubReleaseSource({ repository: REPOSITORY, token, apiUrl: server.url, timeoutMs: 300 }).readFile('0.45.0', 'replicated/config.yaml')
    )
    expect(message).toBe(
      `The GitHub API host ${server.url.slice('http://'.length)} (${server.url}) did not answer reading replicated/config.yaml at openhands/0.45.0 of ${REPOSITORY} within 0.3 s: ` +
        "it may accept connections and never respond (a proxy, a GHES under load); check GITHUB_API_URL and the runner's network, retry later, " +
        'or set release-map to a workspace file of OHE release: agent-server tag lines, or pin agent-server-version.'
    )
  })
})

describe('an API that accepts connections and never answers: the whole lookup ends at its budget', () => {
  it('the production limits: 30 s per request, 60 s for the whole lookup', () => {
    expect(lookupLimits({})).toEqual({ timeoutMs: 30_000, budgetMs: 60_000 })
    expect(lookupLimits({ timeoutMs: 300, budgetMs: 500 })).toEqual({ timeoutMs: 300, budgetMs: 500 })
  })

  it('latest: the tag list answers, the file read hangs and ends with the budget; a later read fails at once, without a request', async () => {
    const server = await standIn({ hang: 'contents' })
    // A request timeout longer than the budget: the budget is what ends the wait.
    const source = githubReleaseSource({ repository: REPOSITORY, token, apiUrl: server.url, timeoutMs: 30_000, budgetMs: 1000 })
    const message = await failure(resolveFromSource({ kind: 'latest' }, source))
    expect(message).toBe(
      `The GitHub API host ${server.url.slice('http://'.length)} (${server.url}) did not answer reading replicated/config.yaml at openhands/0.51.0 of ${REPOSITORY} ` +
        "within the 1 s the release lookup may take in all: it may accept connections and never respond (a proxy, a GHES under load); check GITHUB_API_URL and the runner's network, " +
        'retry later, or set release-map to a workspace file of OHE release: agent-server tag lines, or pin agent-server-version.'
    )
    expect(contentRequests(server)).toHaveLength(1)
    // The fit range and any other read of this lookup share the spent budget.
    expect(await failure(source.readFile('0.45.0', 'replicated/config.yaml'))).toContain(
      'did not answer reading replicated/config.yaml at openhands/0.45.0 of OpenHands/OpenHands-Cloud within the 1 s the release lookup may take in all'
    )
    expect(await failure(source.listReleases())).toContain('did not answer reading the openhands/* tags')
    expect(contentRequests(server)).toHaveLength(1)
    // The three pages of the first listing; the later listing sent none.
    expect(server.requests.filter(request => request.includes('/git/matching-refs/'))).toHaveLength(3)
  })
})
