/**
 * A small client of the OCI Distribution API (registry HTTP API v2) over the global fetch: tags, manifests, image
 * configs. The request path is split by concern: transport.ts (one request, redirects, timeout, retries), auth.ts
 * (challenges, tokens) and error-mapping.ts (a failure as one RegistryError); this module holds what is read.
 */
import { createHash } from 'node:crypto'
import { callDeadline, type Deadline } from './budget.js'
import { Authenticator, basicAuthorization, parseJson, type RegistryCredentials } from './auth.js'
import { RegistryError } from './errors.js'
import { asRecord, describeSubject as describe, httpError, protocolError, type ErrorContext, type Reply, type Subject } from './error-mapping.js'
import { DIGEST, REPOSITORY, TAG } from '../grammar.js'
import { nextLink, parseUrl, registryOrigin, Transport, withRetries, type SendOptions } from './transport.js'

export { RegistryError, type RegistryErrorKind } from './errors.js'
export { type RegistryCredentials } from './auth.js'
export { isLoopbackHost, nextLink, registryOrigin } from './transport.js'

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json'
} as const

export interface Platform {
  os: string
  architecture: string
  /** e.g. `v8` for arm64 (assumed when an index omits it), `v7` for arm. Any variant matches when omitted. */
  variant?: string
}

export interface RegistryClientOptions {
  /** host[:port] as in the image reference; `docker.io` (and its aliases) is served by registry-1.docker.io. */
  registry: string
  /** Used for basic auth and for the token realm; empty strings count as none. */
  credentials?: RegistryCredentials
  fetch?: typeof fetch
  /** Plain http. Default: true only for localhost, 127.0.0.0/8 and [::1], as Docker treats them. */
  insecure?: boolean
  /** Per request, redirects and token included. Default 30 s. */
  timeoutMs?: number
  /** Retries of a request answered 429, 502, 503 or 504. Default 2. */
  retries?: number
  /** First retry delay when the answer has no Retry-After, doubled per retry. Default 1 s. */
  retryDelayMs?: number
  /**
   * One call (all pages of a tag list; an index, its manifest and config), retries and tokens included. Default 2 min.
   * A phase's budget (withReadBudget) can end it sooner.
   */
  callBudgetMs?: number
}

export interface Manifest {
  /** Docker-Content-Digest, or the sha256 of the body when the registry sends none. */
  digest: string
  mediaType: string
  /** The parsed JSON as the registry sent it. */
  manifest: unknown
}

/** The fields of an image config the action reads (the `config` section, plus os/architecture from the top). */
export interface ImageConfig {
  architecture?: string
  os?: string
  Entrypoint?: string[] | null
  Cmd?: string[] | null
  User?: string
  Labels?: Record<string, string> | null
  ExposedPorts?: Record<string, object> | null
  Env?: string[] | null
  WorkingDir?: string
  /** `rootfs.diff_ids` (top level of the config blob): the uncompressed layer digests, base first. */
  diffIds?: string[]
}

export interface ImageConfigResult {
  /** The manifest digest of the platform image. */
  digest: string
  /** The digest of the index the reference named, when it named one. */
  indexDigest?: string
  configDigest: string
  config: ImageConfig
  /** The manifest's layer descriptors (compressed digest and size), base first. */
  layers?: Array<{ digest: string; size: number }>
}

/** A blob as a manifest names it. */
export interface BlobDescriptor {
  digest: string
  size: number
}

/** Opens a blob's bytes anew for each attempt of an upload (after a 401 challenge, or a retry). */
export type BlobSource = () => Promise<ReadableStream<Uint8Array>>

/** Limits of one blob transfer, which can take far longer than a read's 30 s. */
export interface TransferOptions {
  timeoutMs: number
  /** Ends the transfer early, e.g. when it stopped moving. */
  signal?: AbortSignal
}

export interface RegistryClient {
  /** The registry as given, for messages. */
  readonly registry: string
  /** All tags, following `Link: <...>; rel="next"` pages. */
  listTags(repository: string): Promise<string[]>
  getManifest(repository: string, reference: string): Promise<Manifest>
  /** The config of the image for `platform` (default linux/amd64), resolving an index to that platform's manifest. */
  getImageConfig(repository: string, reference: string, platform?: Platform): Promise<ImageConfigResult>
  /** HEAD of the manifest: false on 404, an error for anything else that is not 200. */
  tagExists(repository: string, tag: string): Promise<boolean>
  /** HEAD of a blob: false on 404. */
  hasBlob(repository: string, digest: string): Promise<boolean>
  /** A blob's bytes as they come (redirects followed); the caller checks them against the digest. */
  openBlob(repository: string, blob: BlobDescriptor, transfer: TransferOptions): Promise<ReadableStream<Uint8Array>>
  /**
   * Puts a blob in the repository: mounted from `mountFrom` (a repository of the same registry) when the registry
   * can, else uploaded as a POST and one PUT of all its bytes, as containerd pushes. The PUT is not retried: a failed
   * upload is started again by the caller.
   */
  pushBlob(repository: string, blob: BlobDescriptor, source: BlobSource, transfer: TransferOptions & { mountFrom?: string }): Promise<'mounted' | 'uploaded'>
  /** PUTs a manifest under a tag or its own digest; returns its digest. */
  putManifest(repository: string, reference: string, mediaType: string, body: Uint8Array): Promise<string>
}

const MANIFEST_ACCEPT = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerList, MEDIA_TYPES.dockerManifest].join(', ')
const INDEX_TYPES: ReadonlySet<string> = new Set([MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList])
const MANIFEST_TYPES: ReadonlySet<string> = new Set(Object.values(MEDIA_TYPES))

const DEFAULT_TIMEOUT_MS = 30_000
const DEFAULT_CALL_BUDGET_MS = 120_000
const MAX_PAGES = 1000
/** The Distribution spec lets registries refuse manifests above 4 MiB. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024
const MAX_CONFIG_BYTES = 16 * 1024 * 1024
const MAX_TAGS_PAGE_BYTES = 16 * 1024 * 1024
/** The body of an upload's or a manifest put's answer, which says nothing the client reads. */
const MAX_ANSWER_BYTES = 64 * 1024

export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  return new Client(options)
}

class Client implements RegistryClient {
  readonly registry: string
  private readonly origin: string
  private readonly context: ErrorContext
  private readonly auth: Authenticator
  private readonly retries: number
  private readonly retryDelayMs: number
  private readonly callBudgetMs: number

  constructor(options: RegistryClientOptions) {
    this.registry = options.registry
    this.origin = registryOrigin(options.registry, options.insecure)
    const basicAuth = basicAuthorization(options.credentials)
    this.context = {
      registry: options.registry,
      origin: this.origin,
      credentials: basicAuth !== undefined,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    }
    const transport = new Transport(this.context, options.fetch ?? fetch)
    this.auth = new Authenticator(this.context, transport, basicAuth, options.insecure === true)
    this.retries = options.retries ?? 2
    this.retryDelayMs = options.retryDelayMs ?? 1000
    this.callBudgetMs = options.callBudgetMs ?? DEFAULT_CALL_BUDGET_MS
  }

  async listTags(repository: string): Promise<string[]> {
    this.checkRepository(repository)
    const subject: Subject = { repository, kind: 'tags' }
    const tags: string[] = []
    const seen = new Set<string>()
    const deadline = callDeadline(this.callBudgetMs)
    let url: URL | undefined = new URL(`/v2/${repository}/tags/list`, this.origin)
    for (let page = 0; url !== undefined; page++) {
      if (page >= MAX_PAGES || seen.has(url.href)) {
        throw this.protocolError(subject, page >= MAX_PAGES ? `more than ${MAX_PAGES} pages of tags` : 'tag pages that link in a loop')
      }
      seen.add(url.href)
      const reply = await this.request(subject, url, {
        deadline,
        method: 'GET',
        accept: 'application/json',
        maxBytes: MAX_TAGS_PAGE_BYTES,
        peer: 'registry'
      })
      if (reply.status !== 200) throw this.httpError(subject, reply)
      const body = asRecord(this.parseJson(subject, reply.body))
      if (body === undefined) throw this.protocolError(subject, 'a tag list that is not a JSON object')
      // `tags: null` is how some registries say "no tags".
      const pageTags = body.tags ?? null
      if (pageTags !== null && !Array.isArray(pageTags)) throw this.protocolError(subject, 'a tag list without tags')
      for (const tag of pageTags ?? []) if (typeof tag === 'string') tags.push(tag)
      url = this.nextPage(subject, reply)
    }
    return tags
  }

  getManifest(repository: string, reference: string): Promise<Manifest> {
    return this.readManifest(repository, reference, callDeadline(this.callBudgetMs))
  }

  private async readManifest(repository: string, reference: string, deadline: Deadline): Promise<Manifest> {
    this.checkRepository(repository)
    this.checkReference(repository, reference)
    const subject: Subject = { repository, kind: 'manifest', reference }
    const reply = await this.request(subject, this.manifestUrl(repository, reference), {
      deadline,
      method: 'GET',
      accept: MANIFEST_ACCEPT,
      maxBytes: MAX_MANIFEST_BYTES,
      peer: 'registry'
    })
    if (reply.status !== 200) throw this.httpError(subject, reply)

    const manifest = this.parseJson(subject, reply.body)
    const record = asRecord(manifest)
    if (record === undefined) throw this.protocolError(subject, 'a manifest that is not a JSON object')
    const headerType = mediaTypeOf(reply.headers.get('content-type'))
    const bodyType = typeof record.mediaType === 'string' ? record.mediaType : undefined
    // The header is authoritative for known types; some registries send application/json and leave it to the body.
    const mediaType = MANIFEST_TYPES.has(headerType) ? headerType : (bodyType ?? headerType)
    if (record.schemaVersion === 1 || mediaType.startsWith('application/vnd.docker.distribution.manifest.v1')) {
      throw this.protocolError(subject, 'a Docker schema 1 manifest, which is not supported (push the image again)')
    }

    let digest: string
    if (DIGEST.test(reference)) {
      // Content fetched by digest must be that content.
      if (digestOf(reply.body, reference) !== reference) {
        throw this.protocolError(subject, 'content not matching its digest')
      }
      digest = reference
    } else {
      const header = reply.headers.get('docker-content-digest')?.trim()
      digest = header !== undefined && DIGEST.test(header) ? header : `sha256:${createHash('sha256').update(reply.body).digest('hex')}`
    }
    return { digest, mediaType, manifest }
  }

  async getImageConfig(repository: string, reference: string, platform: Platform = { os: 'linux', architecture: 'amd64' }): Promise<ImageConfigResult> {
    const deadline = callDeadline(this.callBudgetMs)
    let current = await this.readManifest(repository, reference, deadline)
    const indexDigest = isIndex(current) ? current.digest : undefined
    // An index may point at another index; two levels is all real images use.
    for (let depth = 0; isIndex(current); depth++) {
      if (depth >= 2) throw this.protocolError({ repository, kind: 'manifest', reference }, 'indexes nested too deep')
      const descriptor = this.selectPlatform(repository, reference, current, platform)
      current = await this.readManifest(repository, descriptor, deadline)
    }

    const subject: Subject = { repository, kind: 'manifest', reference }
    const configDigest = asRecord(asRecord(current.manifest)?.config)?.digest
    if (typeof configDigest !== 'string' || !DIGEST.test(configDigest)) {
      throw this.protocolError(subject, 'an image manifest without a config digest')
    }
    const blobSubject: Subject = { repository, kind: 'blob', reference: configDigest }
    const reply = await this.request(blobSubject, new URL(`/v2/${repository}/blobs/${configDigest}`, this.origin), {
      deadline,
      method: 'GET',
      maxBytes: MAX_CONFIG_BYTES,
      peer: 'registry'
    })
    if (reply.status !== 200) throw this.httpError(blobSubject, reply)
    if (digestOf(reply.body, configDigest) !== configDigest) {
      throw this.protocolError(blobSubject, 'content not matching its digest')
    }
    const config = toImageConfig(this.parseJson(blobSubject, reply.body))

    // A single-platform image has no index to choose from: make sure it is the platform asked for.
    if (indexDigest === undefined && config.os !== undefined && config.architecture !== undefined) {
      if (config.os !== platform.os || config.architecture !== platform.architecture) {
        throw new RegistryError(
          `${describe(subject)} in registry ${this.registry} is a ${config.os}/${config.architecture} image, ` + `not ${platformText(platform)}`,
          'platform',
          this.registry,
          repository
        )
      }
    }
    const result: ImageConfigResult = { digest: current.digest, configDigest, config, layers: layersOf(current.manifest) }
    if (indexDigest !== undefined) result.indexDigest = indexDigest
    return result
  }

  async tagExists(repository: string, tag: string): Promise<boolean> {
    this.checkRepository(repository)
    this.checkReference(repository, tag)
    const subject: Subject = { repository, kind: 'manifest', reference: tag }
    const reply = await this.request(subject, this.manifestUrl(repository, tag), {
      deadline: callDeadline(this.callBudgetMs),
      method: 'HEAD',
      accept: MANIFEST_ACCEPT,
      maxBytes: 0,
      peer: 'registry'
    })
    if (reply.status === 200) return true
    if (reply.status === 404) return false
    throw this.httpError(subject, reply)
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    this.checkRepository(repository)
    const subject: Subject = { repository, kind: 'layer', reference: digest }
    const reply = await this.request(subject, this.blobUrl(repository, digest), {
      deadline: callDeadline(this.callBudgetMs),
      method: 'HEAD',
      maxBytes: 0,
      peer: 'registry'
    })
    if (reply.status === 200) return true
    if (reply.status === 404) return false
    throw this.httpError(subject, reply)
  }

  async openBlob(repository: string, blob: BlobDescriptor, transfer: TransferOptions): Promise<ReadableStream<Uint8Array>> {
    this.checkRepository(repository)
    const subject: Subject = { repository, kind: 'layer', reference: blob.digest }
    const reply = await this.request(subject, this.blobUrl(repository, blob.digest), {
      method: 'GET',
      maxBytes: 0,
      streamBody: true,
      peer: 'registry',
      ...transfer
    })
    if (reply.status !== 200 || reply.stream === undefined) throw this.httpError(subject, reply)
    return reply.stream
  }

  async pushBlob(
    repository: string,
    blob: BlobDescriptor,
    source: BlobSource,
    transfer: TransferOptions & { mountFrom?: string }
  ): Promise<'mounted' | 'uploaded'> {
    this.checkRepository(repository)
    const subject: Subject = { repository, kind: 'layer', reference: blob.digest, push: true }
    const { mountFrom, ...limits } = transfer
    const start = new URL(`/v2/${repository}/blobs/uploads/`, this.origin)
    if (mountFrom !== undefined && mountFrom !== repository) {
      start.searchParams.set('mount', blob.digest)
      start.searchParams.set('from', mountFrom)
    }
    const begun = await this.request(subject, start, {
      deadline: callDeadline(this.callBudgetMs),
      method: 'POST',
      maxBytes: MAX_ANSWER_BYTES,
      peer: 'registry'
    })
    // 201: mounted. 202: an upload session to send the bytes to.
    if (begun.status === 201) return 'mounted'
    const location = begun.headers.get('location')
    const session = begun.status === 202 && location !== null ? parseUrl(location, begun.url) : null
    if (begun.status !== 202) throw this.httpError(subject, begun)
    if (session === null || session.origin !== this.origin) throw this.protocolError(subject, 'an upload location outside the registry')
    session.searchParams.set('digest', blob.digest)
    const put = await this.auth.authorized(subject, session, {
      method: 'PUT',
      maxBytes: MAX_ANSWER_BYTES,
      peer: 'registry',
      body: async () => ({ data: await source(), length: blob.size, contentType: 'application/octet-stream' }),
      ...limits
    })
    if (put.status !== 201) throw this.httpError(subject, put)
    return 'uploaded'
  }

  async putManifest(repository: string, reference: string, mediaType: string, body: Uint8Array): Promise<string> {
    this.checkRepository(repository)
    this.checkReference(repository, reference)
    const subject: Subject = { repository, kind: 'manifest', reference, push: true }
    const reply = await this.request(subject, this.manifestUrl(repository, reference), {
      deadline: callDeadline(this.callBudgetMs),
      method: 'PUT',
      maxBytes: MAX_ANSWER_BYTES,
      peer: 'registry',
      body: async () => ({ data: body, length: body.byteLength, contentType: mediaType })
    })
    if (reply.status !== 201) throw this.httpError(subject, reply)
    const own = `sha256:${createHash('sha256').update(body).digest('hex')}`
    const header = reply.headers.get('docker-content-digest')?.trim()
    if (header !== undefined && DIGEST.test(header) && header.startsWith('sha256:') && header !== own) {
      throw this.protocolError(subject, `the digest ${header}, not the manifest's own ${own}`)
    }
    return own
  }

  // ---- requests

  /** A registry request, authenticated, retried on 429/502/503/504. */
  private request(subject: Subject, url: URL, options: SendOptions): Promise<Reply> {
    return withRetries(() => this.auth.authorized(subject, url, options), this.retries, this.retryDelayMs, options.deadline)
  }

  private nextPage(subject: Subject, reply: Reply): URL | undefined {
    const link = nextLink(reply.headers.get('link'))
    if (link === undefined) return undefined
    const next = parseUrl(link, reply.url)
    // Credentials go to the registry only: a next page elsewhere is not followed.
    if (next === null || next.origin !== this.origin) {
      throw this.protocolError(subject, 'a next-page link outside the registry')
    }
    return next
  }

  private blobUrl(repository: string, digest: string): URL {
    if (!DIGEST.test(digest)) throw new RegistryError(`invalid blob digest '${digest}' for ${repository}`, 'invalid', this.registry, repository)
    return new URL(`/v2/${repository}/blobs/${digest}`, this.origin)
  }

  private manifestUrl(repository: string, reference: string): URL {
    return new URL(`/v2/${repository}/manifests/${reference}`, this.origin)
  }

  private selectPlatform(repository: string, reference: string, index: Manifest, want: Platform): string {
    const entries = asRecord(index.manifest)?.manifests
    const available: string[] = []
    for (const entry of Array.isArray(entries) ? entries : []) {
      const descriptor = asRecord(entry)
      const platform = asRecord(descriptor?.platform)
      const digest = descriptor?.digest
      if (descriptor === undefined || typeof digest !== 'string' || !DIGEST.test(digest)) continue
      // BuildKit's provenance/SBOM attestations sit in the index as unknown/unknown manifests.
      const annotations = asRecord(descriptor.annotations)
      if (annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') continue
      const os = typeof platform?.os === 'string' ? platform.os : 'unknown'
      const architecture = typeof platform?.architecture === 'string' ? platform.architecture : 'unknown'
      if (os === 'unknown' || architecture === 'unknown') continue
      const variant = typeof platform?.variant === 'string' ? platform.variant : undefined
      available.push(platformText({ os, architecture, variant }))
      if (os !== want.os || architecture !== want.architecture) continue
      const variantOk = want.variant === undefined || normalVariant(architecture, variant) === normalVariant(architecture, want.variant)
      if (variantOk) return digest
    }
    throw new RegistryError(
      `${describe({ repository, kind: 'manifest', reference })} in registry ${this.registry} has no ` +
        `${platformText(want)} image` +
        ` (it has ${available.length === 0 ? 'none' : available.join(', ')})`,
      'platform',
      this.registry,
      repository
    )
  }

  // ---- validation and errors

  private checkRepository(repository: string): void {
    if (!REPOSITORY.test(repository) || repository.length > 255) {
      throw new RegistryError(
        `invalid repository name '${repository}' for registry ${this.registry}: expected lower-case path components ` + `such as openhands/agent-server`,
        'invalid',
        this.registry
      )
    }
  }

  private checkReference(repository: string, reference: string): void {
    if (!TAG.test(reference) && !DIGEST.test(reference)) {
      throw new RegistryError(
        `invalid tag or digest '${reference}' for ${repository}: expected a tag such as 1.23.0-python ` + 'or sha256:<64 hex>',
        'invalid',
        this.registry,
        repository
      )
    }
  }

  private parseJson(subject: Subject, body: Uint8Array): unknown {
    return parseJson(this.context, subject, body)
  }

  private protocolError(subject: Subject, what: string): RegistryError {
    return protocolError(this.context, subject, what)
  }

  private httpError(subject: Subject, reply: Reply): RegistryError {
    return httpError(this.context, subject, reply)
  }
}

// ---- pure helpers
function mediaTypeOf(contentType: string | null): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
}

function isIndex(manifest: Manifest): boolean {
  return INDEX_TYPES.has(manifest.mediaType) || Array.isArray(asRecord(manifest.manifest)?.manifests)
}

/** The digest of `body` with the algorithm `like` names (`sha256:...`); undefined for an algorithm we lack. */
function digestOf(body: Uint8Array, like: string): string | undefined {
  const algorithm = like.slice(0, like.indexOf(':'))
  if (!['sha256', 'sha384', 'sha512'].includes(algorithm)) return undefined
  return `${algorithm}:${createHash(algorithm).update(body).digest('hex')}`
}

function platformText(p: { os: string; architecture: string; variant?: string | undefined }): string {
  return `${p.os}/${p.architecture}${p.variant === undefined ? '' : `/${p.variant}`}`
}

/** arm64 images leave out their only variant, v8. */
function normalVariant(architecture: string, variant: string | undefined): string | undefined {
  return architecture === 'arm64' && variant === undefined ? 'v8' : variant
}

function stringArray(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every(v => typeof v === 'string') ? value : undefined
}

function toImageConfig(blob: unknown): ImageConfig {
  const top = asRecord(blob) ?? {}
  const c = asRecord(top.config) ?? {}
  const config: ImageConfig = {}
  if (typeof top.architecture === 'string') config.architecture = top.architecture
  if (typeof top.os === 'string') config.os = top.os
  // null and absent both occur ("no entrypoint"); keep which one it was, and drop values of the wrong type.
  if (c.Entrypoint === null || stringArray(c.Entrypoint)) config.Entrypoint = stringArray(c.Entrypoint) ?? null
  if (c.Cmd === null || stringArray(c.Cmd)) config.Cmd = stringArray(c.Cmd) ?? null
  if (c.Env === null || stringArray(c.Env)) config.Env = stringArray(c.Env) ?? null
  if (typeof c.User === 'string') config.User = c.User
  if (typeof c.WorkingDir === 'string') config.WorkingDir = c.WorkingDir
  if (c.Labels === null) config.Labels = null
  else {
    const labels = asRecord(c.Labels)
    if (labels !== undefined) {
      config.Labels = Object.fromEntries(Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string'))
    }
  }
  if (c.ExposedPorts === null) config.ExposedPorts = null
  else {
    const ports = asRecord(c.ExposedPorts)
    if (ports !== undefined) config.ExposedPorts = Object.fromEntries(Object.keys(ports).map(port => [port, {}]))
  }
  const diffIds = stringArray(asRecord(top.rootfs)?.diff_ids)
  if (diffIds) config.diffIds = diffIds
  return config
}

/** An image manifest's `layers`: digest and compressed size of each, skipping malformed entries. */
function layersOf(manifest: unknown): Array<{ digest: string; size: number }> {
  const layers = asRecord(manifest)?.layers
  if (!Array.isArray(layers)) return []
  return layers.flatMap(layer => {
    const record = asRecord(layer)
    return typeof record?.digest === 'string' && typeof record.size === 'number' ? [{ digest: record.digest, size: record.size }] : []
  })
}
