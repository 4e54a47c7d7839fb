/**
 * A registry run by the action itself on 127.0.0.1 for one build's export: the minimal Distribution API a pusher
 * uses (HEAD/GET blobs, monolithic and chunked uploads, cross-repository mounts, manifests by tag and digest), no
 * auth, one random repository. Blobs named in `known` (the base's) are answered as present, so the engine never
 * sends them; every other blob is handed to `receive` as it arrives, digested on the way, and kept as a file in
 * `keepDir` when one is given (the bytes the push then uploads), else dropped. Manifests are kept in memory. Used by
 * the verify phase to read only the layers a build added.
 */
import { createHash, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createWriteStream, type WriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PassThrough } from 'node:stream'

/** A blob as the registry received it: its digest and size, and what `receive` made of its bytes. */
export interface ReceivedBlob<T> {
  digest: string
  size: number
  result: T
}

export interface LoopbackOptions<T> {
  /** Blob digests answered as present (HEAD, mount) without ever being sent: the base's layers. */
  known: ReadonlyMap<string, number>
  /** Reads one uploaded blob to its end; its result is kept under the blob's digest once the digest checks out. */
  receive(bytes: AsyncIterable<Buffer>): Promise<T>
  /** Where each accepted blob is kept, as a file named by its hex digest. */
  keepDir?: string
}

export interface LoopbackRegistry<T> {
  /** host:port, as in image references. */
  host: string
  /** The random per-run repository; pushes to any other are refused. */
  repository: string
  /** `host/repository:tag`. */
  reference(tag: string): string
  /** Blobs uploaded and accepted, by digest. */
  blobs: ReadonlyMap<string, ReceivedBlob<T>>
  /** The file a blob is kept in (keepDir), by digest. */
  blobFile(digest: string): string | undefined
  /** A manifest as pushed, by tag or digest; undefined when none was. */
  manifest(reference: string): { digest: string; mediaType: string; body: Buffer } | undefined
  /** `METHOD path` of every request, for tests and the bench. */
  requests: string[]
  close(): Promise<void>
}

const MAX_MANIFEST = 4 * 1024 * 1024
const DIGEST = /^sha256:[0-9a-f]{64}$/

interface Upload<T> {
  hash: ReturnType<typeof createHash>
  size: number
  /** The bytes so far go to receive() through this stream, chunk by chunk (backpressure: the request waits). */
  stream: PassThrough
  result: Promise<T>
  /** The copy being written to keepDir. */
  file?: { path: string; out: WriteStream }
}

export async function startLoopbackRegistry<T>(options: LoopbackOptions<T>): Promise<LoopbackRegistry<T>> {
  const repository = `ohe-verify/${randomBytes(8).toString('hex')}`
  const blobs = new Map<string, ReceivedBlob<T>>()
  const manifests = new Map<string, { digest: string; mediaType: string; body: Buffer }>()
  const uploads = new Map<string, Upload<T>>()
  const requests: string[] = []
  const prefix = `/v2/${repository}/`

  const newUpload = (): string => {
    const id = randomBytes(16).toString('hex')
    const stream = new PassThrough({ highWaterMark: 1 << 20 })
    const result = options.receive(stream)
    // A rejected receive is reported when the upload completes; until then it must not be unhandled.
    result.catch(() => stream.destroy())
    const upload: Upload<T> = { hash: createHash('sha256'), size: 0, stream, result }
    if (options.keepDir !== undefined) {
      const file = path.join(options.keepDir, `upload-${id}`)
      upload.file = { path: file, out: createWriteStream(file, { flags: 'wx', mode: 0o600 }) }
    }
    uploads.set(id, upload)
    return id
  }

  const kept = new Map<string, string>()

  const blobSize = (digest: string): number | undefined => options.known.get(digest) ?? blobs.get(digest)?.size

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://loopback')
    const method = req.method ?? 'GET'
    requests.push(`${method} ${url.pathname}${url.search}`)
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0')
    if (url.pathname === '/v2/' || url.pathname === '/v2') return reply(res, 200, '{}')
    if (!url.pathname.startsWith(prefix)) return error(res, 404, 'NAME_UNKNOWN', 'repository not known to this registry')
    const rest = url.pathname.slice(prefix.length)

    if (rest === 'blobs/uploads/' || rest === 'blobs/uploads') {
      if (method !== 'POST') return error(res, 405, 'UNSUPPORTED', method)
      const mount = url.searchParams.get('mount')
      if (mount !== null && blobSize(mount) !== undefined) {
        await drain(req)
        return created(res, `${prefix}blobs/${mount}`, mount)
      }
      const id = newUpload()
      const digest = url.searchParams.get('digest')
      if (digest !== null) {
        // A monolithic upload in one POST.
        await append(uploads.get(id) as Upload<T>, req)
        return complete(res, id, digest)
      }
      await drain(req)
      return accepted(res, `${prefix}blobs/uploads/${id}`, id, 0)
    }

    const upload = /^blobs\/uploads\/([0-9a-f]{32})$/.exec(rest)
    if (upload) {
      const id = upload[1] as string
      const session = uploads.get(id)
      if (!session) return error(res, 404, 'BLOB_UPLOAD_UNKNOWN', 'no such upload')
      if (method === 'GET') return accepted(res, `${prefix}blobs/uploads/${id}`, id, session.size)
      if (method === 'DELETE') {
        session.stream.destroy()
        await discard(session)
        uploads.delete(id)
        return reply(res, 204, '')
      }
      if (method === 'PATCH') {
        await append(session, req)
        return accepted(res, `${prefix}blobs/uploads/${id}`, id, session.size)
      }
      if (method === 'PUT') {
        await append(session, req)
        return complete(res, id, url.searchParams.get('digest') ?? '')
      }
      return error(res, 405, 'UNSUPPORTED', method)
    }

    const blob = /^blobs\/(sha256:[0-9a-f]{64})$/.exec(rest)
    if (blob) {
      const digest = blob[1] as string
      const size = blobSize(digest)
      if (method !== 'HEAD' && method !== 'GET') return error(res, 405, 'UNSUPPORTED', method)
      if (size === undefined) return error(res, 404, 'BLOB_UNKNOWN', digest)
      // Nothing is kept to be served: a pusher only asks whether a blob is there.
      if (method === 'GET') return error(res, 404, 'BLOB_UNKNOWN', `${digest} was read as it arrived and not kept`)
      res.writeHead(200, { 'Content-Length': String(size), 'Docker-Content-Digest': digest })
      return void res.end()
    }

    const manifest = /^manifests\/([A-Za-z0-9_][A-Za-z0-9._-]{0,127}|sha256:[0-9a-f]{64})$/.exec(rest)
    if (manifest) {
      const reference = manifest[1] as string
      if (method === 'PUT') {
        const body = await readBody(req, MAX_MANIFEST)
        if (!body) return error(res, 413, 'MANIFEST_INVALID', 'manifest too large')
        const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`
        if (reference.startsWith('sha256:') && reference !== digest) return error(res, 400, 'DIGEST_INVALID', `manifest digest is ${digest}`)
        const missing = referencedBlobs(body).filter(d => blobSize(d) === undefined)
        if (missing.length > 0) return error(res, 400, 'MANIFEST_BLOB_UNKNOWN', missing.join(', '))
        const stored = { digest, mediaType: (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '', body }
        manifests.set(digest, stored)
        manifests.set(reference, stored)
        return created(res, `${prefix}manifests/${digest}`, digest)
      }
      if (method !== 'HEAD' && method !== 'GET') return error(res, 405, 'UNSUPPORTED', method)
      const stored = manifests.get(reference)
      if (!stored) return error(res, 404, 'MANIFEST_UNKNOWN', reference)
      res.writeHead(200, { 'Content-Type': stored.mediaType, 'Content-Length': String(stored.body.length), 'Docker-Content-Digest': stored.digest })
      return void res.end(method === 'HEAD' ? undefined : stored.body)
    }
    return error(res, 404, 'UNSUPPORTED', rest)
  }

  /** Ends an upload: the digest the client names must be the bytes' own, or the blob is refused and its result dropped. */
  const complete = async (res: ServerResponse, id: string, digest: string): Promise<void> => {
    const session = uploads.get(id) as Upload<T>
    uploads.delete(id)
    session.stream.end()
    const actual = `sha256:${session.hash.digest('hex')}`
    let result: T
    try {
      result = await session.result
    } catch (thrown) {
      await discard(session)
      return error(res, 500, 'UNKNOWN', `reading the blob failed: ${thrown instanceof Error ? thrown.message : String(thrown)}`)
    }
    if (!DIGEST.test(digest) || digest !== actual) {
      await discard(session)
      return error(res, 400, 'DIGEST_INVALID', `the uploaded bytes are ${actual}, not ${digest}`)
    }
    if (session.file !== undefined && options.keepDir !== undefined) {
      const { out } = session.file
      out.end()
      await once(out, 'close')
      const file = path.join(options.keepDir, digest.slice('sha256:'.length))
      await rename(session.file.path, file)
      kept.set(digest, file)
    }
    blobs.set(digest, { digest, size: session.size, result })
    return created(res, `${prefix}blobs/${digest}`, digest)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((thrown: unknown) => {
      if (!res.headersSent) error(res, 500, 'UNKNOWN', thrown instanceof Error ? thrown.message : String(thrown))
      else res.destroy()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    host,
    repository,
    reference: tag => `${host}/${repository}:${tag}`,
    blobs,
    blobFile: digest => kept.get(digest),
    manifest: reference => manifests.get(reference),
    requests,
    close: async () => {
      for (const session of uploads.values()) {
        session.stream.destroy()
        await discard(session)
      }
      uploads.clear()
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}

/** Passes a request body into an upload, hashing it; waits for the reader when it falls behind. */
async function append<T>(session: Upload<T>, req: IncomingMessage): Promise<void> {
  for await (const chunk of req as AsyncIterable<Buffer>) {
    session.hash.update(chunk)
    session.size += chunk.length
    const out = session.file?.out
    if (out !== undefined && !out.write(chunk)) await once(out, 'drain')
    // A reader that failed stopped reading: the rest is hashed and dropped, and the upload fails when it completes.
    if (session.stream.destroyed) continue
    if (!session.stream.write(chunk)) await drained(session.stream)
  }
}

/** Drops an upload's unfinished copy in keepDir. */
async function discard<T>(session: Upload<T>): Promise<void> {
  if (session.file === undefined) return
  session.file.out.destroy()
  await rm(session.file.path, { force: true })
}

/** Resolves once the reader took the buffered bytes, or stopped reading; leaves no listener behind. */
function drained(stream: PassThrough): Promise<void> {
  return new Promise(resolve => {
    const done = (): void => {
      stream.off('drain', done)
      stream.off('close', done)
      resolve()
    }
    stream.on('drain', done)
    stream.on('close', done)
  })
}

/** The config and layer digests a manifest names (an index's manifests are not followed: one platform is pushed). */
function referencedBlobs(body: Buffer): string[] {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { config?: { digest?: unknown }; layers?: Array<{ digest?: unknown }> }
    return [parsed.config?.digest, ...(parsed.layers ?? []).map(layer => layer.digest)].filter((d): d is string => typeof d === 'string')
  } catch {
    return []
  }
}

async function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > max) return undefined
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

async function drain(req: IncomingMessage): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  for await (const _ of req) {
    /* dropped */
  }
}

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) })
  res.end(body)
}

function accepted(res: ServerResponse, location: string, id: string, size: number): void {
  res.writeHead(202, { Location: location, Range: `0-${Math.max(size - 1, 0)}`, 'Docker-Upload-UUID': id, 'Content-Length': '0' })
  res.end()
}

function created(res: ServerResponse, location: string, digest: string): void {
  res.writeHead(201, { Location: location, 'Docker-Content-Digest': digest, 'Content-Length': '0' })
  res.end()
}

function error(res: ServerResponse, status: number, code: string, message: string): void {
  reply(res, status, JSON.stringify({ errors: [{ code, message }] }))
}
