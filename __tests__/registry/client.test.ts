/**
 * The registry client against a stand-in token-auth registry (a node:http server in this process): bearer
 * challenges, token caching, pagination, index resolution, redirects, and the errors for each failure.
 */
import { Buffer } from 'node:buffer'
import {
  MEDIA_TYPES,
  RegistryError,
  createRegistryClient,
  isLoopbackHost,
  nextLink,
  registryOrigin,
  type RegistryClientOptions
} from '../../src/registry/client.js'
import { UserError } from '../../src/errors.js'
import {
  ATTESTATION,
  CONFIG_AMD64,
  ENTRYPOINT,
  INDEX,
  MANIFEST_AMD64,
  MANIFEST_ARM64,
  PAGES,
  PASSWORD,
  REPOSITORY,
  USERNAME,
  closedPort,
  digest,
  startStandIn,
  type StandIn
} from './stand-in-registry.js'
import { registryError } from './support.js'

let standIn: StandIn

beforeEach(async () => {
  standIn = await startStandIn()
})

afterEach(async () => {
  await standIn.close()
})

const credentials = { username: USERNAME, password: PASSWORD }

function client(options: Partial<RegistryClientOptions> = {}) {
  return createRegistryClient({ registry: standIn.registry, retryDelayMs: 1, ...options })
}

/** Nothing secret may show in a message: the password, the basic header, the user name, issued tokens. */
function expectNoSecrets(message: string): void {
  for (const secret of [PASSWORD, USERNAME, Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64'), '-token-']) {
    expect(message).not.toContain(secret)
  }
}

describe('listTags', () => {
  it('follows three pages of Link headers, relative and absolute', async () => {
    const tags = await client().listTags(REPOSITORY)
    expect(tags).toEqual(PAGES.flat())
    expect(standIn.requests.filter(r => r.includes('/tags/list'))).toEqual([
      `GET /v2/${REPOSITORY}/tags/list`, // 401: no token yet
      `GET /v2/${REPOSITORY}/tags/list`,
      `GET /v2/${REPOSITORY}/tags/list?n=2&start=1.24.0-python`,
      `GET /v2/${REPOSITORY}/tags/list?n=2&start=latest-python`
    ])
  })

  it('reads tags: null as no tags', async () => {
    expect(await client().listTags('test/empty')).toEqual([])
  })

  it('stops on a page that links to itself, and on a next page at another origin', async () => {
    const loop = await registryError(client().listTags('test/loop'))
    expect(loop.kind).toBe('protocol')
    expect(loop.message).toBe(`registry ${standIn.registry} answered tags of test/loop with tag pages that link in a loop`)
    const elsewhere = await registryError(client().listTags('test/elsewhere'))
    expect(elsewhere.message).toContain('a next-page link outside the registry')
  })

  it('says which repository is missing', async () => {
    const error = await registryError(client().listTags('openhands/agent-serve'))
    expect(error).toMatchObject({ kind: 'not-found', status: 404, repository: 'openhands/agent-serve' })
    expect(error.message).toBe(`repository openhands/agent-serve not found in registry ${standIn.registry} (HTTP 404 NAME_UNKNOWN): check the name`)
  })

  it('reports invalid JSON', async () => {
    const error = await registryError(client().listTags('test/garbage'))
    expect(error.message).toBe(`registry ${standIn.registry} answered tags of test/garbage with invalid JSON`)
  })
})

describe('bearer tokens', () => {
  it('asks the realm once per scope, anonymously, and sends the token up front afterwards', async () => {
    const registry = client()
    await registry.listTags(REPOSITORY)
    await registry.getManifest(REPOSITORY, '1.24.0-python')
    await registry.getImageConfig(REPOSITORY, '1.24.0-python')
    expect(await registry.tagExists(REPOSITORY, '1.24.0-python')).toBe(true)
    expect(standIn.tokenRequests).toEqual([{ scope: [`repository:${REPOSITORY}:pull`], service: 'test', as: 'anonymous' }])
    expect(standIn.challenges).toHaveLength(1)

    // Another repository is another scope: one more token.
    await registry.listTags('test/empty')
    await registry.listTags('test/empty')
    expect(standIn.tokenRequests.map(r => r.scope)).toEqual([[`repository:${REPOSITORY}:pull`], ['repository:test/empty:pull']])
  })

  it('shares one token request between concurrent requests', async () => {
    const registry = client()
    const manifests = await Promise.all(Array.from({ length: 5 }, () => registry.getManifest(REPOSITORY, '1.24.0-python')))
    expect(new Set(manifests.map(m => m.digest))).toEqual(new Set([digest(INDEX)]))
    expect(standIn.tokenRequests).toHaveLength(1)
  })

  it('asks the realm with basic auth when credentials are given', async () => {
    await client({ credentials }).listTags('private/app')
    expect(standIn.tokenRequests).toEqual([{ scope: ['repository:private/app:pull'], service: 'test', as: 'user' }])
  })

  it('gets a new token when the cached one is refused', async () => {
    const registry = client()
    await registry.listTags(REPOSITORY)
    standIn.revokeTokens()
    expect(await registry.listTags(REPOSITORY)).toEqual(PAGES.flat())
    expect(standIn.tokenRequests).toHaveLength(2)
  })

  it('refuses a token that cannot go into a header, without quoting it', async () => {
    const challenge = 'Bearer realm="http://127.0.0.1:9/token",service="s",scope="repository:a/b:pull"'
    const fake: typeof fetch = async input => {
      if (new URL(String(input)).pathname === '/token') return Response.json({ token: 'secret\ntoken' })
      return new Response('{}', { status: 401, headers: { 'WWW-Authenticate': challenge } })
    }
    const error = await registryError(createRegistryClient({ registry: '127.0.0.1:9', fetch: fake }).listTags('a/b'))
    expect(error.message).toBe('registry 127.0.0.1:9 answered tags of a/b with a token answer from 127.0.0.1:9 without a usable token')
  })

  it('uses the injected fetch', async () => {
    const urls: string[] = []
    const counting: typeof fetch = (input, init) => {
      urls.push(String(input))
      return fetch(input, init)
    }
    await client({ fetch: counting }).tagExists(REPOSITORY, '1.24.0-python')
    expect(urls.map(u => new URL(u).pathname)).toEqual([`/v2/${REPOSITORY}/manifests/1.24.0-python`, '/token', `/v2/${REPOSITORY}/manifests/1.24.0-python`])
  })

  it('fails on wrong credentials at the token service without showing them', async () => {
    const error = await registryError(client({ credentials: { username: USERNAME, password: 'wrong-password' } }).listTags(REPOSITORY))
    expect(error).toMatchObject({ kind: 'unauthorized', status: 401, repository: REPOSITORY })
    expect(error.message).toBe(
      `authentication failed at registry ${standIn.registry} (token service ${standIn.registry}) reading tags of ` +
        `${REPOSITORY} (HTTP 401 UNAUTHORIZED): the registry rejected registry-username/registry-password; check them`
    )
    expect(error.message).not.toContain('wrong-password')
    expectNoSecrets(error.message)
  })

  it('says an anonymous token lacks pull access to a private repository', async () => {
    const error = await registryError(client().listTags('private/app'))
    expect(error).toMatchObject({ kind: 'forbidden', status: 401 })
    expect(error.message).toBe(
      `registry ${standIn.registry} refused tags of private/app (HTTP 401 UNAUTHORIZED): the anonymous token lacks ` +
        'pull (read) access to private/app; set registry-username/registry-password (a missing repository answers ' +
        'this way too)'
    )
  })
})

describe('basic auth', () => {
  it('answers a Basic challenge with the credentials, then sends them up front', async () => {
    const registry = client({ credentials })
    expect(await registry.listTags('basic/app')).toEqual(PAGES.flat())
    expect(await registry.tagExists('basic/app', 'single')).toBe(true)
    expect(standIn.challenges).toEqual(['/v2/basic/app/tags/list'])
    expect(standIn.tokenRequests).toEqual([])
  })

  it('says credentials are needed when there are none', async () => {
    const error = await registryError(client().listTags('basic/app'))
    expect(error).toMatchObject({ kind: 'unauthorized', status: 401 })
    expect(error.message).toBe(
      `authentication failed at registry ${standIn.registry} reading tags of basic/app (HTTP 401 UNAUTHORIZED): the ` +
        'registry requires credentials; set registry-username/registry-password (a private or missing repository ' +
        'answers this way too)'
    )
  })

  it('fails on a wrong password without showing it', async () => {
    const error = await registryError(client({ credentials: { username: USERNAME, password: `${PASSWORD}x` } }).tagExists('basic/app', 'single'))
    expect(error.kind).toBe('unauthorized')
    expect(error.message).toContain('the registry rejected registry-username/registry-password; check them')
    expectNoSecrets(error.message)
  })
})

describe('manifests and image configs', () => {
  it('reads an index with its media type and digest', async () => {
    const manifest = await client().getManifest(REPOSITORY, '1.24.0-python')
    expect(manifest).toEqual({
      digest: digest(INDEX),
      mediaType: MEDIA_TYPES.ociIndex,
      manifest: JSON.parse(String(INDEX))
    })
  })

  it('resolves the index to linux/amd64, past the attestation manifest, and reads the redirected config', async () => {
    const result = await client({ credentials }).getImageConfig(REPOSITORY, '1.24.0-python')
    expect(result).toEqual({
      digest: digest(MANIFEST_AMD64),
      indexDigest: digest(INDEX),
      configDigest: digest(CONFIG_AMD64),
      config: {
        architecture: 'amd64',
        os: 'linux',
        Entrypoint: ENTRYPOINT,
        Cmd: null,
        User: 'openhands',
        ExposedPorts: { '8000/tcp': {}, '8002/tcp': {} },
        Labels: { 'org.opencontainers.image.version': '1.24.0', arch: 'amd64' },
        diffIds: []
      },
      layers: []
    })
    // The bearer token (and the credentials) stay with the registry: blob storage gets no Authorization.
    expect(standIn.storageAuthorizations).toEqual([undefined])
    expect(standIn.requests.filter(r => r.includes(digest(ATTESTATION)))).toEqual([])
  })

  it('picks another platform when asked', async () => {
    const registry = client()
    const arm = await registry.getImageConfig(REPOSITORY, '1.24.0-python', { os: 'linux', architecture: 'arm64' })
    expect(arm.digest).toBe(digest(MANIFEST_ARM64))
    expect(arm.config.architecture).toBe('arm64')
    const v8 = await registry.getImageConfig(REPOSITORY, '1.24.0-python', {
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8'
    })
    expect(v8.digest).toBe(digest(MANIFEST_ARM64))
  })

  it('names the platforms an index has when the one asked for is missing (attestations left out)', async () => {
    const error = await registryError(client().getImageConfig(REPOSITORY, '1.24.0-python', { os: 'linux', architecture: 's390x' }))
    expect(error.kind).toBe('platform')
    expect(error.message).toBe(`${REPOSITORY}:1.24.0-python in registry ${standIn.registry} has no linux/s390x image (it has linux/amd64, ` + 'linux/arm64/v8)')
  })

  it('refuses a single-platform image of another platform', async () => {
    const error = await registryError(client().getImageConfig(REPOSITORY, 'single'))
    expect(error.message).toBe(`${REPOSITORY}:single in registry ${standIn.registry} is a linux/arm64 image, not linux/amd64`)
  })

  it('reads a manifest by digest and checks the content against it', async () => {
    const manifest = await client().getManifest(REPOSITORY, digest(MANIFEST_AMD64))
    expect(manifest.digest).toBe(digest(MANIFEST_AMD64))
    expect(manifest.mediaType).toBe(MEDIA_TYPES.ociManifest)
  })

  it('refuses a config blob that does not match its digest', async () => {
    const error = await registryError(client().getImageConfig(REPOSITORY, 'tampered'))
    expect(error.kind).toBe('protocol')
    expect(error.message).toMatch(/answered config blob sha256:[0-9a-f]{64} of openhands\/agent-server with content not matching its digest$/)
  })

  it('says whether the tag or the repository is missing', async () => {
    const tag = await registryError(client().getManifest(REPOSITORY, '9.9.9-python'))
    expect(tag.message).toBe(`tag 9.9.9-python not found in ${REPOSITORY} in registry ${standIn.registry} (HTTP 404 MANIFEST_UNKNOWN)`)
    const repository = await registryError(client().getImageConfig('openhands/agent-serve', '1.24.0-python'))
    expect(repository.message).toBe(`repository openhands/agent-serve not found in registry ${standIn.registry} (HTTP 404 NAME_UNKNOWN): check the name`)
  })

  it('tagExists: true, false on 404, an error otherwise', async () => {
    const registry = client()
    expect(await registry.tagExists(REPOSITORY, '1.24.0-python')).toBe(true)
    expect(await registry.tagExists(REPOSITORY, '9.9.9-python')).toBe(false)
    expect((await registryError(registry.tagExists('test/status-403', 'x'))).kind).toBe('forbidden')
  })

  it('refuses invalid names before sending anything', async () => {
    const registry = client()
    const repository = await registryError(registry.listTags('../../etc'))
    expect(repository).toMatchObject({ kind: 'invalid' })
    expect(repository.message).toBe(
      `invalid repository name '../../etc' for registry ${standIn.registry}: expected lower-case path components such ` + 'as openhands/agent-server'
    )
    const reference = await registryError(registry.getManifest(REPOSITORY, '1.0/../x'))
    expect(reference.message).toBe(`invalid tag or digest '1.0/../x' for ${REPOSITORY}: expected a tag such as 1.23.0-python or sha256:<64 hex>`)
    expect(standIn.requests).toEqual([])
  })
})

describe('failures', () => {
  it.each([
    [
      403,
      'forbidden',
      'registry R denied access to test/status-403:x (HTTP 403 DENIED): the anonymous access lacks pull (read) ' +
        'permission on test/status-403; set registry-username/registry-password'
    ],
    [
      429,
      'rate-limited',
      'registry R rate-limited reading test/status-429:x (HTTP 429, retry after 60 s): retry later, or set ' +
        'registry-username/registry-password: anonymous pulls have lower limits'
    ],
    [500, 'server', 'registry R failed reading test/status-500:x (HTTP 500 DENIED): a server-side error; retry later'],
    [503, 'server', 'registry R failed reading test/status-503:x (HTTP 503 DENIED): a server-side error; retry later'],
    [418, 'protocol', 'unexpected answer from registry R reading test/status-418:x (HTTP 418 DENIED)']
  ])('HTTP %i -> %s', async (status, kind, message) => {
    const error = await registryError(client().getManifest(`test/status-${status}`, 'x'))
    expect(error).toBeInstanceOf(UserError)
    expect(error).toMatchObject({ kind, status, registry: standIn.registry, repository: `test/status-${status}` })
    expect(error.message).toBe(message.replace('registry R', `registry ${standIn.registry}`))
  })

  it('retries 503, and gives up after the retries', async () => {
    expect(await client({ retries: 1 }).listTags('test/flaky')).toEqual([])
    const before = standIn.requests.length
    await registryError(client({ retries: 2 }).getManifest('test/status-503', 'x'))
    // 1 challenged + 3 attempts
    expect(standIn.requests.length - before).toBe(4)
  })

  it('does not wait for a Retry-After longer than 30 s', async () => {
    const started = Date.now()
    const error = await registryError(client({ retries: 5 }).getManifest('test/status-429', 'x'))
    expect(error.kind).toBe('rate-limited')
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('times out', async () => {
    const error = await registryError(client({ timeoutMs: 200 }).listTags('test/hang'))
    expect(error).toMatchObject({ kind: 'timeout', repository: 'test/hang' })
    expect(error.message).toBe(`registry ${standIn.registry} did not answer within 0.2 s reading tags of test/hang: is it reachable from the runner?`)
  })

  it('cannot reach a registry that is down', async () => {
    const port = await closedPort()
    const error = await registryError(createRegistryClient({ registry: `127.0.0.1:${port}`, credentials }).listTags(REPOSITORY))
    expect(error).toMatchObject({ kind: 'unreachable', registry: `127.0.0.1:${port}` })
    expect(error.message).toBe(
      `cannot reach registry 127.0.0.1:${port} (ECONNREFUSED) reading tags of ${REPOSITORY}: is it running and ` + 'reachable from the runner?'
    )
    expectNoSecrets(error.message)
  })

  it('says a host name does not resolve', async () => {
    // As undici fails a lookup (a real one could hang on a runner without DNS).
    const lookupFails: typeof fetch = async () => {
      const cause = Object.assign(new Error('getaddrinfo ENOTFOUND registry.invalid'), { code: 'ENOTFOUND' })
      throw new TypeError('fetch failed', { cause })
    }
    const error = await registryError(createRegistryClient({ registry: 'registry.invalid', fetch: lookupFails }).listTags(REPOSITORY))
    expect(error.kind).toBe('unreachable')
    expect(error.message).toMatch(/^cannot reach registry registry\.invalid \(ENOTFOUND\) reading tags of /)
    expect(error.message).toMatch(/openhands\/agent-server: the host name does not resolve; check it and the runner network$/)
  })

  it('refuses to send credentials to a plain-http token realm on another host', async () => {
    const challenge: typeof fetch = async () =>
      new Response('{}', {
        status: 401,
        headers: {
          'WWW-Authenticate': 'Bearer realm="http://auth.example.com/token",service="s",scope="repository:a/b:pull"'
        }
      })
    const error = await registryError(createRegistryClient({ registry: 'registry.example.com', credentials, fetch: challenge }).listTags('a/b'))
    expect(error.message).toBe(
      'registry registry.example.com asks for its credentials at auth.example.com over plain http; refusing to ' +
        'send registry-username/registry-password unencrypted (reading tags of a/b)'
    )
  })
})

describe('addresses', () => {
  it.each([
    ['docker.io', undefined, 'https://registry-1.docker.io'],
    ['index.docker.io', undefined, 'https://registry-1.docker.io'],
    ['ghcr.io', undefined, 'https://ghcr.io'],
    ['registry.example.com:8443', undefined, 'https://registry.example.com:8443'],
    ['127.0.0.1:5000', undefined, 'http://127.0.0.1:5000'],
    ['127.1.2.3', undefined, 'http://127.1.2.3'],
    ['localhost:5000', undefined, 'http://localhost:5000'],
    ['[::1]:5000', undefined, 'http://[::1]:5000'],
    ['localhost:5000', false, 'https://localhost:5000'],
    ['mirror.internal:5000', true, 'http://mirror.internal:5000'],
    ['128.0.0.1', undefined, 'https://128.0.0.1']
  ])('%s (insecure %s) -> %s', (registry, insecure, origin) => {
    expect(registryOrigin(registry, insecure)).toBe(origin)
  })

  it.each(['', 'https://ghcr.io', 'ghcr.io/openhands', 'host:port', 'a b'])('refuses registry %j', registry => {
    expect(() => registryOrigin(registry)).toThrow(RegistryError)
  })

  it.each([
    ['localhost', true],
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['[::1]', true],
    ['localhost.example.com', false],
    ['127.0.0.1.nip.io', false],
    ['10.0.0.1', false]
  ])('isLoopbackHost(%s) = %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected)
  })

  it.each([
    [null, undefined],
    ['', undefined],
    ['</v2/a/tags/list?last=x&n=2>; rel="next"', '/v2/a/tags/list?last=x&n=2'],
    ['</v2/a/tags/list?last=x>; rel=next', '/v2/a/tags/list?last=x'],
    ['<https://r/v2/a/tags/list?last=x>;rel="next"', 'https://r/v2/a/tags/list?last=x'],
    ['</docs>; rel="help", </v2/a/tags/list?last=y>; rel="next"', '/v2/a/tags/list?last=y'],
    ['</v2/a/tags/list?last=y>; title="x"; rel="prev next"', '/v2/a/tags/list?last=y'],
    ['</v2/a/tags/list?last=y>; rel="prev"', undefined],
    ['</v2/a/tags/list?last=y>; rel="nextpage"', undefined]
  ])('nextLink(%j) = %j', (header, expected) => {
    expect(nextLink(header)).toBe(expected)
  })
})
