/**
 * The registry client's writes against a stand-in token-auth registry in this process: a blob is mounted when the
 * registry can, else uploaded as a POST and one PUT of all its bytes with their length; a 401 asking for push scope
 * is followed and the body is sent again from a fresh source; manifests are PUT and their digest checked; a HEAD
 * says whether a blob is there; a blob is read as a stream; refusals say push (write) access is missing.
 */
import { Buffer } from 'node:buffer'
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRegistryClient, MEDIA_TYPES, RegistryError, type RegistryClient } from '../../src/registry/client.js'

const REPOSITORY = 'acme/sandbox'
const BASE = 'openhands/agent-server'
const digestOf = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`

interface Recorded {
  method: string
  path: string
  authorization: string
  contentLength?: string
  contentType?: string
  bytes: number
}

/** Blobs and manifests by repository; tokens say their scope (`token:<scope>`), and writes need `push`. */
async function startRegistry(options: { refusePush?: boolean; manifestDigest?: string; refuseFirstPut?: boolean } = {}) {
  let putsRefused = 0
  const blobs = new Map<string, Buffer>()
  const manifests = new Map<string, Buffer>()
  const requests: Recorded[] = []
  let uploads = 0
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x')
      const body = Buffer.concat(chunks)
      const authorization = req.headers.authorization ?? ''
      requests.push({
        method: req.method ?? '',
        path: `${url.pathname}${url.search}`,
        authorization,
        ...(req.headers['content-length'] ? { contentLength: req.headers['content-length'] } : {}),
        ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
        bytes: body.length
      })
      if (url.pathname === '/token') {
        res.writeHead(200, { 'content-type': 'application/json' })
        return res.end(JSON.stringify({ token: `token:${url.searchParams.getAll('scope').join(' ')}` }))
      }
      const write = req.method === 'POST' || req.method === 'PUT'
      const scope = `repository:${REPOSITORY}:${write ? 'pull,push' : 'pull'}`
      if (!authorization.includes(write ? 'pull,push' : 'pull')) {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${req.headers.host}/token",service="test",scope="${scope}"` })
        return res.end()
      }
      // A token that expired mid-upload: the first PUT is turned down whatever it carries.
      if (req.method === 'PUT' && options.refuseFirstPut && putsRefused++ === 0) {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${req.headers.host}/token",service="test",scope="${scope}",error="invalid_token"` })
        return res.end()
      }
      if (write && options.refusePush) {
        res.writeHead(403, { 'content-type': 'application/json' })
        return res.end(JSON.stringify({ errors: [{ code: 'DENIED', message: 'denied' }] }))
      }
      const blob = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(url.pathname)
      if (blob && (req.method === 'HEAD' || req.method === 'GET')) {
        const held = blobs.get(`${blob[1]}@${blob[2]}`)
        res.writeHead(held ? 200 : 404, held ? { 'content-length': String(held.length) } : {})
        return res.end(req.method === 'GET' ? held : undefined)
      }
      if (req.method === 'POST' && url.pathname === `/v2/${REPOSITORY}/blobs/uploads/`) {
        const mount = url.searchParams.get('mount')
        const from = url.searchParams.get('from')
        if (mount && from && blobs.has(`${from}@${mount}`)) {
          blobs.set(`${REPOSITORY}@${mount}`, blobs.get(`${from}@${mount}`) as Buffer)
          res.writeHead(201)
          return res.end()
        }
        res.writeHead(202, { location: `/v2/${REPOSITORY}/blobs/uploads/u${++uploads}?state=s` })
        return res.end()
      }
      if (req.method === 'PUT' && url.pathname.startsWith(`/v2/${REPOSITORY}/blobs/uploads/`)) {
        const named = url.searchParams.get('digest') ?? ''
        if (url.searchParams.get('state') !== 's' || digestOf(body) !== named) {
          res.writeHead(400)
          return res.end()
        }
        blobs.set(`${REPOSITORY}@${named}`, body)
        res.writeHead(201)
        return res.end()
      }
      const manifest = /^\/v2\/(.+)\/manifests\/(.+)$/.exec(url.pathname)
      if (manifest && req.method === 'PUT') {
        manifests.set(`${manifest[1]}:${manifest[2]}`, body)
        res.writeHead(201, { 'docker-content-digest': options.manifestDigest ?? digestOf(body) })
        return res.end()
      }
      res.writeHead(404)
      res.end()
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const registry = `127.0.0.1:${(server.address() as AddressInfo).port}`
  return { registry, blobs, manifests, requests, close: () => new Promise<void>(resolve => server.close(() => resolve())) }
}

type Registry = Awaited<ReturnType<typeof startRegistry>>
let registry: Registry
let client: RegistryClient

async function start(options: Parameters<typeof startRegistry>[0] = {}): Promise<void> {
  registry = await startRegistry(options)
  client = createRegistryClient({ registry: registry.registry, retryDelayMs: 1 })
}

afterEach(() => registry.close())

/** A source that counts how often it was opened. */
function sourceOf(bytes: Buffer): { open: () => Promise<ReadableStream<Uint8Array>>; opened: () => number } {
  let opened = 0
  return {
    open: async () => {
      opened++
      return new Blob([bytes]).stream()
    },
    opened: () => opened
  }
}

const transfer = { timeoutMs: 10_000 }

describe('pushBlob', () => {
  test('a POST, then one PUT of all the bytes with their length and the digest; the push-scope challenge is followed', async () => {
    await start()
    const bytes = Buffer.from('layer bytes '.repeat(10_000))
    const source = sourceOf(bytes)
    expect(await client.pushBlob(REPOSITORY, { digest: digestOf(bytes), size: bytes.length }, source.open, transfer)).toBe('uploaded')
    expect(registry.blobs.get(`${REPOSITORY}@${digestOf(bytes)}`)).toEqual(bytes)
    expect(registry.requests.map(r => `${r.method} ${r.path.replace(/\?.*/, '')} ${r.authorization.replace(/ .*repository:/, ' ')}`)).toEqual([
      `POST /v2/${REPOSITORY}/blobs/uploads/ `,
      'GET /token ',
      `POST /v2/${REPOSITORY}/blobs/uploads/ Bearer ${REPOSITORY}:pull,push`,
      `PUT /v2/${REPOSITORY}/blobs/uploads/u1 Bearer ${REPOSITORY}:pull,push`
    ])
    const put = registry.requests.at(-1)
    expect(put).toMatchObject({ contentLength: String(bytes.length), contentType: 'application/octet-stream', bytes: bytes.length })
    expect(put?.path).toBe(`/v2/${REPOSITORY}/blobs/uploads/u1?state=s&digest=${encodeURIComponent(digestOf(bytes))}`)
    expect(source.opened()).toBe(1)
  })

  test('a PUT answered 401 is sent again with a fresh body once the token is renewed', async () => {
    await start({ refuseFirstPut: true })
    const bytes = Buffer.from('again '.repeat(1000))
    const source = sourceOf(bytes)
    expect(await client.pushBlob(REPOSITORY, { digest: digestOf(bytes), size: bytes.length }, source.open, transfer)).toBe('uploaded')
    expect(source.opened()).toBe(2)
    expect(registry.requests.filter(r => r.method === 'PUT').map(r => r.bytes)).toEqual([expect.any(Number), bytes.length])
    expect(registry.blobs.get(`${REPOSITORY}@${digestOf(bytes)}`)).toEqual(bytes)
  })

  test('mounted from another repository of the registry when it holds the blob: no bytes sent', async () => {
    await start()
    const bytes = Buffer.from('base layer')
    registry.blobs.set(`${BASE}@${digestOf(bytes)}`, bytes)
    const source = sourceOf(bytes)
    expect(await client.pushBlob(REPOSITORY, { digest: digestOf(bytes), size: bytes.length }, source.open, { ...transfer, mountFrom: BASE })).toBe('mounted')
    expect(source.opened()).toBe(0)
    expect(registry.requests.at(-1)?.path).toBe(
      `/v2/${REPOSITORY}/blobs/uploads/?mount=${encodeURIComponent(digestOf(bytes))}&from=${encodeURIComponent(BASE)}`
    )
    expect(await client.hasBlob(REPOSITORY, digestOf(bytes))).toBe(true)
  })

  test('a mount the registry cannot do becomes an upload', async () => {
    await start()
    const bytes = Buffer.from('not in the base')
    const source = sourceOf(bytes)
    expect(await client.pushBlob(REPOSITORY, { digest: digestOf(bytes), size: bytes.length }, source.open, { ...transfer, mountFrom: BASE })).toBe('uploaded')
    expect(source.opened()).toBe(1)
  })

  test('a refusal says push (write) access is missing', async () => {
    await start({ refusePush: true })
    const bytes = Buffer.from('x')
    const thrown = await client.pushBlob(REPOSITORY, { digest: digestOf(bytes), size: 1 }, sourceOf(bytes).open, transfer).catch((error: unknown) => error)
    expect(thrown).toBeInstanceOf(RegistryError)
    expect((thrown as RegistryError).kind).toBe('forbidden')
    expect((thrown as RegistryError).message).toBe(
      `registry ${registry.registry} denied access to blob ${digestOf(bytes)} of ${REPOSITORY} (HTTP 403 DENIED): the anonymous access lacks push (write) permission on ${REPOSITORY}; set registry-username/registry-password`
    )
  })
})

describe('hasBlob and openBlob', () => {
  test('HEAD says whether the blob is there; GET streams its bytes', async () => {
    await start()
    const bytes = Buffer.from('base bytes')
    expect(await client.hasBlob(BASE, digestOf(bytes))).toBe(false)
    registry.blobs.set(`${BASE}@${digestOf(bytes)}`, bytes)
    expect(await client.hasBlob(BASE, digestOf(bytes))).toBe(true)
    const stream = await client.openBlob(BASE, { digest: digestOf(bytes), size: bytes.length }, transfer)
    expect(Buffer.from(await new Response(stream).arrayBuffer())).toEqual(bytes)
  })

  test('a missing blob to open is an error naming it', async () => {
    await start()
    const missing = digestOf(Buffer.from('none'))
    await expect(client.openBlob(BASE, { digest: missing, size: 4 }, transfer)).rejects.toThrow(`blob ${missing} of ${BASE} not found in registry`)
  })
})

describe('putManifest', () => {
  const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest }))

  test('PUT under the tag with its media type; the digest is the body’s own', async () => {
    await start()
    expect(await client.putManifest(REPOSITORY, 'v1', MEDIA_TYPES.ociManifest, body)).toBe(digestOf(body))
    expect(registry.manifests.get(`${REPOSITORY}:v1`)).toEqual(body)
    expect(registry.requests.at(-1)).toMatchObject({ method: 'PUT', contentType: MEDIA_TYPES.ociManifest, contentLength: String(body.length) })
  })

  test('a registry that stores it under another digest is a protocol error', async () => {
    const other = digestOf(Buffer.from('other'))
    await start({ manifestDigest: other })
    await expect(client.putManifest(REPOSITORY, 'v1', MEDIA_TYPES.ociManifest, body)).rejects.toThrow(
      `registry ${registry.registry} answered ${REPOSITORY}:v1 with the digest ${other}, not the manifest's own ${digestOf(body)}`
    )
  })
})
