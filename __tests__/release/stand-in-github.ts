/**
 * A stand-in of the GitHub REST API endpoints the release map reads, on 127.0.0.1: matching tag refs with Link
 * pagination (`GET /repos/{owner}/{repo}/git/matching-refs/tags/openhands/`) and file contents at a tag in the raw
 * media type (`GET /repos/{owner}/{repo}/contents/{path}?ref=refs/tags/openhands/X.Y.Z`). It can also answer as the
 * real API does when it refuses: 403 with the rate-limit headers, 401 Bad credentials, 404 for a missing repository;
 * or accept requests and never answer them.
 */
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One OHE release: its files, by path; a missing path is a 404 as on GitHub. */
export type ReleaseFiles = Record<string, string>

export interface StandInOptions {
  repository: string
  /** Release version → its files; read on every request, so adding a release publishes it. */
  releases: Record<string, ReleaseFiles>
  /** Other tag families of the repository (runtime-api/1.0.0, …), which never match the openhands/ prefix. */
  otherTags?: string[]
  /** The server's own page size cap, so a handful of tags already spans pages. */
  pageSize?: number
  /** Answer every request with this refusal. */
  refuse?: 'rate-limit' | 'unauthorized' | 'forbidden'
  /** The epoch second sent in x-ratelimit-reset. */
  resetAt?: number
  /** Accept these requests and never answer: every one, or the file reads only (the tag list still answers). */
  hang?: 'everything' | 'contents'
}

export interface StandInGitHub {
  url: string
  /** `METHOD path?query auth=<authorization header>` per request. */
  requests: string[]
  close(): Promise<void>
}

export async function startStandInGitHub(options: StandInOptions): Promise<StandInGitHub> {
  const requests: string[] = []
  const held = new Set<ServerResponse>()
  // Read per request, so a test can publish a new OHE release between two runs.
  const tags = () => [...Object.keys(options.releases).map(version => `openhands/${version}`), ...(options.otherTags ?? [])]
  let base = ''
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', base)
    requests.push(`${request.method} ${url.pathname}${url.search} auth=${request.headers.authorization ?? ''}`)
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const raw = typeof body === 'string'
      response.writeHead(status, { 'content-type': raw ? 'application/vnd.github.raw' : 'application/json; charset=utf-8', ...headers })
      response.end(raw ? body : JSON.stringify(body))
    }
    if (options.hang === 'everything' || (options.hang === 'contents' && url.pathname.includes('/contents/'))) {
      held.add(response)
      return
    }
    if (options.refuse === 'rate-limit') {
      return send(
        403,
        {
          message: "API rate limit exceeded for 203.0.113.7. (But here's the good news: Authenticated requests get a higher rate limit.)",
          documentation_url: 'https://docs.github.com/rest'
        },
        { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(options.resetAt ?? 0), 'x-ratelimit-resource': 'core' }
      )
    }
    if (options.refuse === 'unauthorized') return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' })
    if (options.refuse === 'forbidden') return send(403, { message: 'Resource not accessible by integration' }, { 'x-ratelimit-remaining': '4999' })

    const prefix = `/repos/${options.repository}/`
    if (!url.pathname.startsWith(prefix)) return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' })
    // Slashes in the path are sent as they are (the action uses {+ref} and {+path}); an escaped one is refused here, as
    // the real API does for fine-grained tokens (octokit/octokit.js#2422).
    if (/%2F/i.test(url.pathname)) return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' })
    const rest = decodeURIComponent(url.pathname.slice(prefix.length))

    const refs = /^git\/matching-refs\/(.*)$/.exec(rest)
    if (request.method === 'GET' && refs) {
      const wanted = refs[1] ?? ''
      const matching = tags()
        .map(tag => `refs/tags/${tag}`)
        .filter(ref => ref.startsWith(`refs/${wanted}`))
      const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), options.pageSize ?? 100)
      const page = Number(url.searchParams.get('page') ?? 1)
      const slice = matching.slice((page - 1) * perPage, page * perPage)
      const headers: Record<string, string> = {}
      if (page * perPage < matching.length) {
        const next = new URL(url.href)
        next.searchParams.set('page', String(page + 1))
        headers.link = `<${next.href}>; rel="next"`
      }
      return send(
        200,
        slice.map(ref => ({ ref, node_id: 'x', url: `${base}${prefix}git/${ref}`, object: { sha: '0'.repeat(40), type: 'commit', url: '' } })),
        headers
      )
    }

    const contents = /^contents\/(.+)$/.exec(rest)
    if (request.method === 'GET' && contents) {
      const ref = url.searchParams.get('ref') ?? ''
      const version = /^(?:refs\/tags\/)?openhands\/(.+)$/.exec(ref)?.[1]
      const file = version === undefined ? undefined : options.releases[version]?.[contents[1] ?? '']
      if (file === undefined) return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/repos/contents' })
      // GitHub answers the raw media type (vnd.github.raw, or vnd.github.v3.raw as Octokit names it) with the bytes.
      if (!/application\/vnd\.github(?:\.v3)?\.raw/.test(request.headers.accept ?? ''))
        return send(415, { message: 'test server serves the raw media type only' })
      return send(200, file)
    }
    send(404, { message: 'Not Found' })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: base,
    requests,
    close: () =>
      new Promise<void>(resolve => {
        for (const response of held) response.socket?.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
