/**
 * A stand-in token-auth registry on 127.0.0.1 (port 0), as ghcr.io and Docker Hub behave: requests without a valid
 * bearer token get 401 with `WWW-Authenticate: Bearer realm=...,service="test",scope="repository:<repo>:pull"`; the
 * realm issues tokens anonymously and with basic auth. It serves a 3-page tag list with Link headers, an OCI index
 * (attestation, amd64, arm64) and config blobs behind a 307 redirect to a second server (another origin, like blob
 * storage). Repositories under `basic/` ask for basic auth instead; `test/*` repositories answer with failures.
 */
import { Buffer } from 'node:buffer'
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { MEDIA_TYPES } from '../../src/registry/client.js'

export const USERNAME = 'robot$ci'
export const PASSWORD = 's3cr3t-Pa55,word"x'
export const REPOSITORY = 'openhands/agent-server'
export const ENTRYPOINT = ['tini', '--', '/usr/local/bin/openhands-agent-server']
export const PAGES = [
  ['1.22.0-python', '1.23.0-python'],
  ['1.24.0-python', '1.24-python', '1-python'],
  ['latest-python', '1.25.0-rc1-python', '1.23.0-java']
]

export function digest(body: Buffer): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value))
}

function imageConfig(architecture: string, extra: Record<string, unknown> = {}): Buffer {
  return json({
    architecture,
    os: 'linux',
    ...extra,
    config: {
      Entrypoint: ENTRYPOINT,
      Cmd: null,
      User: 'openhands',
      ExposedPorts: { '8000/tcp': {}, '8002/tcp': {} },
      Labels: { 'org.opencontainers.image.version': '1.24.0', arch: architecture }
    },
    rootfs: { type: 'layers', diff_ids: [] }
  })
}

function imageManifest(config: Buffer, configMediaType = 'application/vnd.oci.image.config.v1+json'): Buffer {
  return json({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: { mediaType: configMediaType, digest: digest(config), size: config.length },
    layers: []
  })
}

export const CONFIG_AMD64 = imageConfig('amd64')
export const CONFIG_ARM64 = imageConfig('arm64', { variant: 'v8' })
const ATTESTATION_CONFIG = json({ architecture: 'unknown', os: 'unknown', config: {} })
export const MANIFEST_AMD64 = imageManifest(CONFIG_AMD64)
export const MANIFEST_ARM64 = imageManifest(CONFIG_ARM64)
export const ATTESTATION = imageManifest(ATTESTATION_CONFIG)
/** As buildx pushes it, with the attestation first so that it is seen (and skipped) before the image. */
export const INDEX = json({
  schemaVersion: 2,
  mediaType: MEDIA_TYPES.ociIndex,
  manifests: [
    {
      mediaType: MEDIA_TYPES.ociManifest,
      digest: digest(ATTESTATION),
      size: ATTESTATION.length,
      platform: { architecture: 'unknown', os: 'unknown' },
      annotations: {
        'vnd.docker.reference.digest': digest(MANIFEST_AMD64),
        'vnd.docker.reference.type': 'attestation-manifest'
      }
    },
    {
      mediaType: MEDIA_TYPES.ociManifest,
      digest: digest(MANIFEST_AMD64),
      size: MANIFEST_AMD64.length,
      platform: { architecture: 'amd64', os: 'linux' }
    },
    {
      mediaType: MEDIA_TYPES.ociManifest,
      digest: digest(MANIFEST_ARM64),
      size: MANIFEST_ARM64.length,
      platform: { architecture: 'arm64', os: 'linux', variant: 'v8' }
    }
  ]
})
/** A single-platform image (no index) with its config served tampered, for the digest check. */
const CONFIG_TAMPERED = imageConfig('amd64', { note: 'original' })
const MANIFEST_TAMPERED = imageManifest(CONFIG_TAMPERED)

export interface TokenRequest {
  scope: string[]
  service: string | null
  /** 'anonymous', 'user' (right credentials) or 'wrong' */
  as: 'anonymous' | 'user' | 'wrong'
}

export interface StandIn {
  /** host:port */
  registry: string
  tokenRequests: TokenRequest[]
  /** Every request the registry answered 401. */
  challenges: string[]
  /** Authorization headers the blob storage server received (undefined when none). */
  storageAuthorizations: (string | undefined)[]
  /** Paths the registry served (tokens excluded). */
  requests: string[]
  /** Invalidates every token issued so far (as an expiry would). */
  revokeTokens(): void
  close(): Promise<void>
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
  })
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: Buffer | string): void {
  res.writeHead(status, headers)
  res.end(body)
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(res, status, { 'Content-Type': 'application/json', ...headers }, JSON.stringify(value))
}

function distributionError(res: ServerResponse, status: number, code: string, headers: Record<string, string> = {}) {
  sendJson(res, status, { errors: [{ code, message: code }] }, headers)
}

/** Repositories with the tags and images; others are unknown (test/* answer before this is asked). */
function known(repository: string): boolean {
  return repository === REPOSITORY || repository.startsWith('basic/') || repository.startsWith('private/')
}

function basicUser(req: IncomingMessage): 'anonymous' | 'user' | 'wrong' {
  const header = req.headers.authorization
  if (header === undefined) return 'anonymous'
  if (!header.startsWith('Basic ')) return 'wrong'
  return Buffer.from(header.slice(6), 'base64').toString('utf8') === `${USERNAME}:${PASSWORD}` ? 'user' : 'wrong'
}

export async function startStandIn(): Promise<StandIn> {
  const tokenRequests: TokenRequest[] = []
  const challenges: string[] = []
  const storageAuthorizations: (string | undefined)[] = []
  const requests: string[] = []
  /** token -> repositories it may pull */
  const tokens = new Map<string, Set<string>>()
  let issued = 0
  let flaky = 0

  const storage = createServer((req, res) => {
    storageAuthorizations.push(req.headers.authorization)
    const wanted = (req.url ?? '').replace(/^\/blob\//, '')
    const blob = [CONFIG_AMD64, CONFIG_ARM64, ATTESTATION_CONFIG].find(b => digest(b) === wanted)
    if (wanted === digest(CONFIG_TAMPERED)) return send(res, 200, {}, imageConfig('amd64', { note: 'tampered' }))
    if (blob === undefined) return distributionError(res, 404, 'BLOB_UNKNOWN')
    send(res, 200, { 'Content-Type': 'application/octet-stream' }, blob)
  })
  const storagePort = await listen(storage)

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`)
    const origin = `http://${req.headers.host ?? ''}`

    if (url.pathname === '/token') {
      const request: TokenRequest = {
        scope: url.searchParams.getAll('scope'),
        service: url.searchParams.get('service'),
        as: basicUser(req)
      }
      tokenRequests.push(request)
      if (request.as === 'wrong') return distributionError(res, 401, 'UNAUTHORIZED')
      const allowed = new Set<string>()
      for (const scope of request.scope) {
        const [, repository] = /^repository:([^:]+):pull$/.exec(scope) ?? []
        // Private repositories: only the user may pull; anonymous tokens come back without that access.
        if (repository !== undefined && (request.as === 'user' || !repository.startsWith('private/'))) {
          allowed.add(repository)
        }
      }
      const token = `${request.as}-token-${++issued}`
      tokens.set(token, allowed)
      // Docker Hub sends both fields; take turns so that both are read.
      return sendJson(res, 200, issued % 2 === 0 ? { token, expires_in: 300 } : { access_token: token, expires_in: 300 })
    }

    const match = /^\/v2\/(.+?)\/(tags\/list|manifests\/[^/]+|blobs\/[^/]+)$/.exec(url.pathname)
    if (match === null) return distributionError(res, 404, 'NOT_FOUND')
    const repository = match[1] ?? ''
    const [kind, reference = ''] = (match[2] ?? '').split('/')
    requests.push(`${req.method} ${url.pathname}${url.search}`)

    if (repository === 'test/hang') return // never answers: the client's timeout ends it

    // Authentication first, as real registries do.
    const authorization = req.headers.authorization ?? ''
    if (repository.startsWith('basic/')) {
      if (basicUser(req) !== 'user') {
        challenges.push(url.pathname)
        return distributionError(res, 401, 'UNAUTHORIZED', { 'WWW-Authenticate': 'Basic realm="stand-in"' })
      }
    } else {
      const granted = authorization.startsWith('Bearer ') ? tokens.get(authorization.slice(7)) : undefined
      if (granted === undefined || !granted.has(repository)) {
        challenges.push(url.pathname)
        const error = granted === undefined ? '' : ',error="insufficient_scope"'
        return distributionError(res, 401, 'UNAUTHORIZED', {
          'WWW-Authenticate': `Bearer realm="${origin}/token",service="test",scope="repository:${repository}:pull"${error}`
        })
      }
    }

    const status = /^test\/status-(\d{3})$/.exec(repository)?.[1]
    if (status !== undefined) {
      const code = Number(status)
      if (code === 429) return distributionError(res, code, 'TOOMANYREQUESTS', { 'Retry-After': '60' })
      return distributionError(res, code, 'DENIED')
    }
    if (repository === 'test/flaky' && flaky++ === 0) return distributionError(res, 503, 'UNAVAILABLE')

    if (kind === 'tags') {
      if (repository === 'test/loop') {
        return sendJson(res, 200, { tags: ['a'] }, { Link: `<${url.pathname}>; rel="next"` })
      }
      if (repository === 'test/elsewhere') {
        return sendJson(res, 200, { tags: ['a'] }, { Link: '<http://example.invalid/v2/x/tags/list?last=a>; rel="next"' })
      }
      if (repository === 'test/garbage') return send(res, 200, { 'Content-Type': 'application/json' }, '{"tags": [')
      if (repository === 'test/empty' || repository === 'test/flaky') {
        return sendJson(res, 200, { name: repository, tags: null })
      }
      if (!known(repository)) return distributionError(res, 404, 'NAME_UNKNOWN')
      // Three pages: the first links relatively (with an extra link before it), the second absolutely.
      const start = url.searchParams.get('start')
      const page = start === null ? 0 : PAGES.findIndex(p => p[0] === start)
      const tags = PAGES[page] ?? []
      const next = page < 0 ? undefined : PAGES[page + 1]?.[0]
      const headers: Record<string, string> = {}
      if (next !== undefined && page === 0) {
        headers.Link = `</docs>; rel="help", </v2/${repository}/tags/list?n=2&start=${next}>; rel="next"`
      } else if (next !== undefined) {
        headers.Link = `<${origin}/v2/${repository}/tags/list?n=2&start=${next}>; rel="next"`
      }
      return sendJson(res, 200, { name: repository, tags }, headers)
    }

    if (kind === 'manifests') {
      const byTag: Record<string, [Buffer, string]> = {
        '1.24.0-python': [INDEX, MEDIA_TYPES.ociIndex],
        single: [MANIFEST_ARM64, MEDIA_TYPES.ociManifest],
        tampered: [MANIFEST_TAMPERED, MEDIA_TYPES.ociManifest]
      }
      const all: [Buffer, string][] = [...Object.values(byTag), [MANIFEST_AMD64, MEDIA_TYPES.ociManifest], [ATTESTATION, MEDIA_TYPES.ociManifest]]
      const found = byTag[reference] ?? all.find(([body]) => digest(body) === reference)
      if (!known(repository)) return distributionError(res, 404, 'NAME_UNKNOWN')
      if (found === undefined) return distributionError(res, 404, 'MANIFEST_UNKNOWN')
      const [body, mediaType] = found
      const headers = { 'Content-Type': mediaType, 'Docker-Content-Digest': digest(body) }
      return send(res, 200, { ...headers, 'Content-Length': String(body.length) }, req.method === 'HEAD' ? '' : body)
    }

    // Blobs live in "storage", on another origin: the registry redirects there.
    return send(res, 307, { Location: `http://127.0.0.1:${storagePort}/blob/${reference}` })
  })
  const port = await listen(server)

  return {
    registry: `127.0.0.1:${port}`,
    tokenRequests,
    challenges,
    storageAuthorizations,
    requests,
    revokeTokens: () => tokens.clear(),
    close: async () => {
      server.closeAllConnections()
      storage.closeAllConnections()
      await Promise.all([new Promise(resolve => server.close(resolve)), new Promise(resolve => storage.close(resolve))])
    }
  }
}

/** A port nothing listens on: bound, then closed again. */
export async function closedPort(): Promise<number> {
  const server = createServer()
  const port = await listen(server)
  await new Promise(resolve => server.close(resolve))
  return port
}
