/**
 * A registry in memory on 127.0.0.1 (Distribution v2 reads, no auth): enough for the action's own registry reads
 * (manifests by tag or digest, config blobs, tag lists) in in-process tests. Images are put in directly, as a fake
 * `docker buildx build --push` does, so what the action later reads back is what the "push" wrote.
 */
import { Buffer } from 'node:buffer'
import { createHash } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { MEDIA_TYPES } from '../../src/registry/client.js'

export interface ImageConfigJson {
  Entrypoint?: string[] | null
  Cmd?: string[] | null
  User?: string
  ExposedPorts?: Record<string, object>
  Labels?: Record<string, string>
  Env?: string[]
}

export interface MemoryRegistry {
  /** host:port, as in image references. */
  host: string
  /** Stores an amd64 image under `repository:tag`; returns its manifest digest. */
  putImage(repository: string, tag: string, config: ImageConfigJson): string
  /** The config of the image a tag points to, as stored. */
  configOf(repository: string, tag: string): ImageConfigJson | undefined
  tags(repository: string): string[]
  /** Every request, `METHOD path`. */
  requests: string[]
  close(): Promise<void>
}

const sha256 = (body: Buffer): string => `sha256:${createHash('sha256').update(body).digest('hex')}`

export async function startMemoryRegistry(): Promise<MemoryRegistry> {
  const blobs = new Map<string, Buffer>()
  const manifests = new Map<string, Buffer>()
  const tagged = new Map<string, Map<string, string>>()
  const requests: string[] = []

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://registry')
    requests.push(`${req.method} ${url.pathname}`)
    const send = (status: number, body?: Buffer, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'Content-Length': String(body?.length ?? 0), ...headers })
      res.end(req.method === 'HEAD' ? undefined : body)
    }
    if (url.pathname === '/v2/') return send(200, Buffer.from('{}'), { 'Content-Type': 'application/json' })
    const match = /^\/v2\/(.+)\/(manifests|blobs|tags)\/(.+)$/.exec(url.pathname)
    if (!match) return send(404)
    const [, repository = '', kind, reference = ''] = match
    if (kind === 'tags') {
      const names = [...(tagged.get(repository)?.keys() ?? [])]
      if (names.length === 0) return send(404, Buffer.from('{"errors":[{"code":"NAME_UNKNOWN"}]}'))
      return send(200, Buffer.from(JSON.stringify({ name: repository, tags: names })), { 'Content-Type': 'application/json' })
    }
    if (kind === 'blobs') {
      const blob = blobs.get(reference)
      return blob ? send(200, blob, { 'Content-Type': 'application/octet-stream', 'Docker-Content-Digest': reference }) : send(404)
    }
    const digest = reference.startsWith('sha256:') ? reference : tagged.get(repository)?.get(reference)
    const manifest = digest === undefined ? undefined : manifests.get(digest)
    if (!digest || !manifest) return send(404, Buffer.from('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}'), { 'Content-Type': 'application/json' })
    return send(200, manifest, { 'Content-Type': MEDIA_TYPES.ociManifest, 'Docker-Content-Digest': digest })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`

  const configs = new Map<string, ImageConfigJson>()
  return {
    host,
    requests,
    putImage(repository, tag, config) {
      const configBlob = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config, rootfs: { type: 'layers', diff_ids: [] } }))
      blobs.set(sha256(configBlob), configBlob)
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MEDIA_TYPES.ociManifest,
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(configBlob), size: configBlob.length },
          layers: []
        })
      )
      const digest = sha256(manifest)
      manifests.set(digest, manifest)
      if (!tagged.has(repository)) tagged.set(repository, new Map())
      tagged.get(repository)?.set(tag, digest)
      configs.set(`${repository}:${tag}`, config)
      return digest
    },
    configOf: (repository, tag) => configs.get(`${repository}:${tag}`),
    tags: repository => [...(tagged.get(repository)?.keys() ?? [])],
    close: () => new Promise(resolve => server.close(() => resolve()))
  }
}
