/**
 * A small client of the OCI Distribution API (registry HTTP API v2) over the global fetch: tags, manifests, image
 * configs. Authentication as Docker does it: try the request; on 401 follow the WWW-Authenticate challenge (a bearer
 * token from the realm, anonymous or with basic credentials, or basic auth itself) and retry.
 */
import { Buffer } from 'node:buffer'
import { createHash } from 'node:crypto'
import { RegistryError, type RegistryErrorKind } from './errors.js'
import { parseWwwAuthenticate, type Challenge } from './www-authenticate.js'

export { RegistryError, type RegistryErrorKind } from './errors.js'

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json'
} as const

export interface RegistryCredentials {
  username: string
  password: string
}

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
}

const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerList,
  MEDIA_TYPES.dockerManifest
].join(', ')
const INDEX_TYPES: ReadonlySet<string> = new Set([MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList])
const MANIFEST_TYPES: ReadonlySet<string> = new Set(Object.values(MEDIA_TYPES))

const DEFAULT_TIMEOUT_MS = 30_000
const MAX_PAGES = 1000
const MAX_REDIRECTS = 5
/** The Distribution spec lets registries refuse manifests above 4 MiB. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024
const MAX_CONFIG_BYTES = 16 * 1024 * 1024
const MAX_TAGS_PAGE_BYTES = 16 * 1024 * 1024
const MAX_TOKEN_BYTES = 1024 * 1024
/** Only the error codes are read from an error body. */
const MAX_ERROR_BYTES = 64 * 1024
const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504])
/** A Retry-After further away than this fails now with the status, rather than stalling the job. */
const MAX_RETRY_AFTER_S = 30

// distribution/reference's grammar: lower-case path components; tags of word characters; digests with their hex.
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/
const TAG = /^\w[\w.-]{0,127}$/
const DIGEST = /^(?:sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/
const HOST = /^(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?::\d{1,5})?$/
const DOCKER_HUB_NAMES: ReadonlySet<string> = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io'])

export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  return new Client(options)
}

/** localhost, 127.0.0.0/8 and ::1: the hosts Docker talks plain http to without configuration. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase()
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

/** The registry's API origin, e.g. `http://127.0.0.1:5000` or `https://registry-1.docker.io`. */
export function registryOrigin(registry: string, insecure?: boolean): string {
  const host = DOCKER_HUB_NAMES.has(registry.toLowerCase()) ? 'registry-1.docker.io' : registry.toLowerCase()
  if (!HOST.test(host)) {
    throw new RegistryError(
      `invalid registry '${registry}': expected a host[:port] such as ghcr.io or 127.0.0.1:5000`,
      'invalid',
      registry
    )
  }
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '')
  return `${(insecure ?? isLoopbackHost(hostname)) ? 'http' : 'https'}://${host}`
}

/** What a request reads, for messages: "tags of a/b", "a/b:1.0", "config blob sha256:... of a/b". */
interface Subject {
  repository: string
  kind: 'tags' | 'manifest' | 'blob'
  reference?: string
}

interface Reply {
  status: number
  headers: Headers
  body: Uint8Array
  url: URL
}

interface SendOptions {
  method: 'GET' | 'HEAD'
  accept?: string
  /** Sent only to the origin of the first URL: never to a redirect target elsewhere (blob storage, CDN). */
  authorization?: string
  maxBytes: number
  peer: 'registry' | 'token'
}

interface Token {
  token: string
  expiresAt: number
}

class Client implements RegistryClient {
  readonly registry: string
  private readonly origin: string
  private readonly fetchImpl: typeof fetch
  private readonly basicAuth: string | undefined
  private readonly insecureChosen: boolean
  private readonly timeoutMs: number
  private readonly retries: number
  private readonly retryDelayMs: number
  /** Token per challenge scope (realm, service, scope); promises, so concurrent requests share one token request. */
  private readonly tokens = new Map<string, Promise<Token>>()
  /** The scope key each repository was last challenged with: its token is sent up front on the next request. */
  private readonly repositoryScopes = new Map<string, string>()
  /** Set once the registry asked for basic auth: later requests send it up front instead of taking a 401 each. */
  private basicFirst = false

  constructor(options: RegistryClientOptions) {
    this.registry = options.registry
    this.origin = registryOrigin(options.registry, options.insecure)
    this.fetchImpl = options.fetch ?? fetch
    const { username = '', password = '' } = options.credentials ?? {}
    this.basicAuth =
      username === '' && password === ''
        ? undefined
        : `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
    this.insecureChosen = options.insecure === true
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.retries = options.retries ?? 2
    this.retryDelayMs = options.retryDelayMs ?? 1000
  }

  async listTags(repository: string): Promise<string[]> {
    this.checkRepository(repository)
    const subject: Subject = { repository, kind: 'tags' }
    const tags: string[] = []
    const seen = new Set<string>()
    let url: URL | undefined = new URL(`/v2/${repository}/tags/list`, this.origin)
    for (let page = 0; url !== undefined; page++) {
      if (page >= MAX_PAGES || seen.has(url.href)) {
        throw this.protocolError(
          subject,
          page >= MAX_PAGES ? `more than ${MAX_PAGES} pages of tags` : 'tag pages that link in a loop'
        )
      }
      seen.add(url.href)
      const reply = await this.request(subject, url, {
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

  async getManifest(repository: string, reference: string): Promise<Manifest> {
    this.checkRepository(repository)
    this.checkReference(repository, reference)
    const subject: Subject = { repository, kind: 'manifest', reference }
    const reply = await this.request(subject, this.manifestUrl(repository, reference), {
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
      digest =
        header !== undefined && DIGEST.test(header)
          ? header
          : `sha256:${createHash('sha256').update(reply.body).digest('hex')}`
    }
    return { digest, mediaType, manifest }
  }

  async getImageConfig(
    repository: string,
    reference: string,
    platform: Platform = { os: 'linux', architecture: 'amd64' }
  ): Promise<ImageConfigResult> {
    let current = await this.getManifest(repository, reference)
    const indexDigest = isIndex(current) ? current.digest : undefined
    // An index may point at another index; two levels is all real images use.
    for (let depth = 0; isIndex(current); depth++) {
      if (depth >= 2) throw this.protocolError({ repository, kind: 'manifest', reference }, 'indexes nested too deep')
      const descriptor = this.selectPlatform(repository, reference, current, platform)
      current = await this.getManifest(repository, descriptor)
    }

    const subject: Subject = { repository, kind: 'manifest', reference }
    const configDigest = asRecord(asRecord(current.manifest)?.config)?.digest
    if (typeof configDigest !== 'string' || !DIGEST.test(configDigest)) {
      throw this.protocolError(subject, 'an image manifest without a config digest')
    }
    const blobSubject: Subject = { repository, kind: 'blob', reference: configDigest }
    const reply = await this.request(blobSubject, new URL(`/v2/${repository}/blobs/${configDigest}`, this.origin), {
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
          `${describe(subject)} in registry ${this.registry} is a ${config.os}/${config.architecture} image, ` +
            `not ${platformText(platform)}`,
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
      method: 'HEAD',
      accept: MANIFEST_ACCEPT,
      maxBytes: 0,
      peer: 'registry'
    })
    if (reply.status === 200) return true
    if (reply.status === 404) return false
    throw this.httpError(subject, reply)
  }

  // ---- requests, authentication, redirects

  /** A registry request, authenticated, retried on 429/502/503/504. */
  private async request(subject: Subject, url: URL, options: SendOptions): Promise<Reply> {
    for (let attempt = 0; ; attempt++) {
      const reply = await this.authorized(subject, url, options)
      if (!RETRY_STATUSES.has(reply.status) || attempt >= this.retries) return reply
      const delay = retryDelay(reply.headers.get('retry-after'), this.retryDelayMs * 2 ** attempt)
      if (delay === undefined) return reply
      await new Promise(resolve => setTimeout(resolve, delay))
    }
  }

  private async authorized(subject: Subject, url: URL, options: SendOptions): Promise<Reply> {
    const sent = await this.knownAuthorization(subject.repository)
    const reply = await this.send(subject, url, { ...options, authorization: sent })
    if (reply.status !== 401) return reply

    const challenges = parseWwwAuthenticate(reply.headers.get('www-authenticate') ?? '')
    const bearer = challenges.find(c => c.scheme === 'bearer' && (c.params.realm ?? '') !== '')
    if (bearer !== undefined) {
      const key = scopeKey(bearer)
      this.repositoryScopes.set(subject.repository, key)
      const token = await this.token(subject, bearer, key, sent)
      return this.send(subject, url, { ...options, authorization: `Bearer ${token}` })
    }
    if (challenges.some(c => c.scheme === 'basic') && this.basicAuth !== undefined && sent !== this.basicAuth) {
      this.basicFirst = true
      return this.send(subject, url, { ...options, authorization: this.basicAuth })
    }
    return reply // mapped to an error by the caller, with the challenge still in its headers
  }

  private async knownAuthorization(repository: string): Promise<string | undefined> {
    if (this.basicFirst) return this.basicAuth
    const key = this.repositoryScopes.get(repository)
    const pending = key === undefined ? undefined : this.tokens.get(key)
    const token = await pending?.catch(() => undefined)
    return token !== undefined && token.expiresAt > Date.now() ? `Bearer ${token.token}` : undefined
  }

  /** The cached token for the scope, unless it is the one just refused or expired; else a new one. */
  private async token(subject: Subject, challenge: Challenge, key: string, refused?: string): Promise<string> {
    const cached = this.tokens.get(key)
    const entry = await cached?.catch(() => undefined)
    if (entry !== undefined && `Bearer ${entry.token}` !== refused && entry.expiresAt > Date.now()) return entry.token
    // Another request may have replaced the refused token meanwhile: take that one.
    const latest = this.tokens.get(key)
    if (latest !== undefined && latest !== cached) return (await latest).token

    const pending = this.fetchToken(subject, challenge)
    this.tokens.set(key, pending)
    pending.catch(() => {
      if (this.tokens.get(key) === pending) this.tokens.delete(key)
    })
    return (await pending).token
  }

  private async fetchToken(subject: Subject, challenge: Challenge): Promise<Token> {
    let realm: URL
    try {
      realm = new URL(challenge.params.realm ?? '')
    } catch {
      throw this.protocolError(subject, 'an invalid token realm in its WWW-Authenticate challenge')
    }
    if (realm.protocol !== 'https:' && realm.protocol !== 'http:') {
      throw this.protocolError(subject, `a token realm with the unsupported scheme ${realm.protocol}`)
    }
    realm.username = ''
    realm.password = ''
    const { service, scope } = challenge.params
    if (service !== undefined && service !== '') realm.searchParams.set('service', service)
    for (const one of (scope ?? '').split(' ')) if (one !== '') realm.searchParams.append('scope', one)
    if (
      this.basicAuth !== undefined &&
      realm.protocol === 'http:' &&
      !isLoopbackHost(realm.hostname) &&
      !this.insecureChosen
    ) {
      throw new RegistryError(
        `registry ${this.registry} asks for its credentials at ${realm.host} over plain http; refusing to send ` +
          `registry-username/registry-password unencrypted (reading ${describe(subject)})`,
        'protocol',
        this.registry,
        subject.repository
      )
    }

    const reply = await this.send(subject, realm, {
      method: 'GET',
      accept: 'application/json',
      authorization: this.basicAuth,
      maxBytes: MAX_TOKEN_BYTES,
      peer: 'token'
    })
    if (reply.status !== 200) throw this.httpError(subject, reply, 'token')
    const body = asRecord(this.parseJson(subject, reply.body))
    const token = body?.token ?? body?.access_token
    // Visible ASCII only: anything else could not go into a header, and fetch would quote it in its own error.
    if (typeof token !== 'string' || !/^[\x21-\x7e]+$/.test(token)) {
      throw this.protocolError(subject, `a token answer from ${realm.host} without a usable token`)
    }
    // The spec's default lifetime is 60 s; renew a little early.
    const expiresIn = typeof body?.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60
    return { token, expiresAt: Date.now() + Math.max(expiresIn - 10, 1) * 1000 }
  }

  /** One request with manual redirects and one timeout for all of it, body read up to a limit. */
  private async send(subject: Subject, url: URL, options: SendOptions): Promise<Reply> {
    const authOrigin = url.origin
    const signal = AbortSignal.timeout(this.timeoutMs)
    let current = url
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = {}
      if (options.accept !== undefined) headers.Accept = options.accept
      if (options.authorization !== undefined && current.origin === authOrigin) {
        headers.Authorization = options.authorization
      }
      try {
        const res = await this.fetchImpl(current, { method: options.method, headers, redirect: 'manual', signal })
        const location = res.headers.get('location')
        if ([301, 302, 303, 307, 308].includes(res.status) && location !== null) {
          await res.body?.cancel().catch(() => undefined)
          if (hop >= MAX_REDIRECTS) throw this.protocolError(subject, `more than ${MAX_REDIRECTS} redirects`)
          const next = parseUrl(location, current)
          if (next === null || (next.protocol !== 'https:' && next.protocol !== 'http:')) {
            throw this.protocolError(subject, 'a redirect to an invalid location')
          }
          current = next
          continue
        }
        const limit = res.ok ? options.maxBytes : MAX_ERROR_BYTES
        const body = options.method === 'HEAD' ? new Uint8Array() : await readBody(res, limit)
        if (body === undefined) {
          if (res.ok) throw this.protocolError(subject, `an answer larger than ${limit / 1024 / 1024} MiB`)
        }
        return { status: res.status, headers: res.headers, body: body ?? new Uint8Array(), url: current }
      } catch (thrown) {
        if (thrown instanceof RegistryError) throw thrown
        throw this.networkError(subject, current, options.peer, thrown)
      }
    }
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
      const variantOk =
        want.variant === undefined || normalVariant(architecture, variant) === normalVariant(architecture, want.variant)
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
        `invalid repository name '${repository}' for registry ${this.registry}: expected lower-case path components ` +
          `such as openhands/agent-server`,
        'invalid',
        this.registry
      )
    }
  }

  private checkReference(repository: string, reference: string): void {
    if (!TAG.test(reference) && !DIGEST.test(reference)) {
      throw new RegistryError(
        `invalid tag or digest '${reference}' for ${repository}: expected a tag such as 1.23.0-python ` +
          'or sha256:<64 hex>',
        'invalid',
        this.registry,
        repository
      )
    }
  }

  private parseJson(subject: Subject, body: Uint8Array): unknown {
    try {
      return JSON.parse(Buffer.from(body).toString('utf8')) as unknown
    } catch {
      throw this.protocolError(subject, 'invalid JSON')
    }
  }

  private protocolError(subject: Subject, what: string): RegistryError {
    return new RegistryError(
      `registry ${this.registry} answered ${describe(subject)} with ${what}`,
      'protocol',
      this.registry,
      subject.repository
    )
  }

  private networkError(subject: Subject, url: URL, peer: 'registry' | 'token', thrown: unknown): RegistryError {
    const target =
      url.origin === this.origin
        ? `registry ${this.registry}`
        : peer === 'token'
          ? `the token service ${url.host} of registry ${this.registry}`
          : `${url.host} (where registry ${this.registry} redirected)`
    const reading = `reading ${describe(subject)}`
    if (isTimeout(thrown)) {
      return new RegistryError(
        `${target} did not answer within ${Math.round(this.timeoutMs / 100) / 10} s ${reading}: ` +
          'is it reachable from the runner?',
        'timeout',
        this.registry,
        subject.repository
      )
    }
    const code = errorCode(thrown)
    let hint = 'is it running and reachable from the runner?'
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      hint = 'the host name does not resolve; check it and the runner network'
    } else if (code !== undefined && /CERT|TLS|SSL|EPROTO/.test(code)) {
      hint = url.protocol === 'https:' ? 'does it serve https with a certificate the runner trusts?' : 'TLS failed'
    }
    return new RegistryError(
      `cannot reach ${target} (${code ?? 'network error'}) ${reading}: ${hint}`,
      'unreachable',
      this.registry,
      subject.repository
    )
  }

  private httpError(subject: Subject, reply: Reply, peer: 'registry' | 'token' = 'registry'): RegistryError {
    const { status } = reply
    const codes = errorCodes(reply.body)
    const at = `(HTTP ${status}${codes.length > 0 ? ` ${codes.join(', ')}` : ''})`
    const where = `registry ${this.registry}${peer === 'token' ? ` (token service ${reply.url.host})` : ''}`
    const what = describe(subject)
    const { repository } = subject
    const credentials = this.basicAuth !== undefined
    const setCredentials = 'set registry-username/registry-password'
    const error = (kind: RegistryErrorKind, message: string): RegistryError =>
      new RegistryError(message, kind, this.registry, repository, status)

    if (status === 401) {
      const challenge = parseWwwAuthenticate(reply.headers.get('www-authenticate') ?? '')
      if (challenge.some(c => c.params.error === 'insufficient_scope')) {
        return error(
          'forbidden',
          `${where} refused ${what} ${at}: the ${credentials ? 'credentials lack' : 'anonymous token lacks'} ` +
            `pull (read) access to ${repository}${credentials ? '' : `; ${setCredentials}`} ` +
            '(a missing repository answers this way too)'
        )
      }
      return error(
        'unauthorized',
        credentials
          ? `authentication failed at ${where} reading ${what} ${at}: the registry rejected ` +
              `registry-username/registry-password; check them`
          : `authentication failed at ${where} reading ${what} ${at}: the registry requires credentials; ` +
              `${setCredentials} (a private or missing repository answers this way too)`
      )
    }
    if (status === 403) {
      return error(
        'forbidden',
        `${where} denied access to ${what} ${at}: the ${credentials ? 'credentials lack' : 'anonymous access lacks'} ` +
          `pull (read) permission on ${repository}${credentials ? '' : `; ${setCredentials}`}`
      )
    }
    if (status === 404) {
      if (peer === 'token') return error('not-found', `the token service of ${where} was not found ${at}`)
      if (subject.kind === 'tags' || codes.includes('NAME_UNKNOWN')) {
        return error(
          'not-found',
          `repository ${repository} not found in registry ${this.registry} ${at}: check the name` +
            (credentials ? ' and that the credentials can see it' : '')
        )
      }
      const reference = subject.reference ?? ''
      if (subject.kind === 'blob' || codes.includes('BLOB_UNKNOWN')) {
        return error('not-found', `${what} not found in registry ${this.registry} ${at}: the image is incomplete`)
      }
      if (codes.includes('MANIFEST_UNKNOWN')) {
        return error(
          'not-found',
          DIGEST.test(reference)
            ? `manifest ${reference} not found in ${repository} in registry ${this.registry} ${at}`
            : `tag ${reference} not found in ${repository} in registry ${this.registry} ${at}`
        )
      }
      return error(
        'not-found',
        `${what} not found in registry ${this.registry} ${at}: the repository or the ` +
          `${DIGEST.test(reference) ? 'digest' : 'tag'} does not exist`
      )
    }
    if (status === 429) {
      const after = reply.headers.get('retry-after')
      const when = after !== null && /^\d+$/.test(after) ? `, retry after ${after} s` : ''
      return error(
        'rate-limited',
        `${where} rate-limited reading ${what} (HTTP 429${when}): retry later` +
          (credentials ? '' : `, or ${setCredentials}: anonymous pulls have lower limits`)
      )
    }
    if (status >= 500) {
      return error('server', `${where} failed reading ${what} ${at}: a server-side error; retry later`)
    }
    return error('protocol', `unexpected answer from ${where} reading ${what} ${at}`)
  }
}

// ---- pure helpers

function describe(subject: Subject): string {
  const { repository, kind, reference = '' } = subject
  if (kind === 'tags') return `tags of ${repository}`
  if (kind === 'blob') return `config blob ${reference} of ${repository}`
  return DIGEST.test(reference) ? `${repository}@${reference}` : `${repository}:${reference}`
}

function scopeKey(challenge: Challenge): string {
  const { realm = '', service = '', scope = '' } = challenge.params
  return JSON.stringify([realm, service, scope.split(' ').filter(s => s !== '').sort()])
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

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
      config.Labels = Object.fromEntries(
        Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string')
      )
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

/** The `rel="next"` target of a Link header: `<url>; rel="next"`, possibly among other links. */
export function nextLink(header: string | null): string | undefined {
  if (header === null) return undefined
  for (const match of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const params = match[2] ?? ''
    if (/;\s*rel\s*=\s*"?(?:[^";,]*\s)?next(?:\s[^";,]*)?"?\s*(?:;|$)/i.test(params)) return match[1]
  }
  return undefined
}

/** Milliseconds to wait before a retry; undefined when the registry asks for longer than is worth waiting. */
function retryDelay(retryAfter: string | null, fallbackMs: number): number | undefined {
  if (retryAfter === null) return fallbackMs
  const seconds = /^\d+$/.test(retryAfter.trim())
    ? Number(retryAfter.trim())
    : (Date.parse(retryAfter) - Date.now()) / 1000
  if (Number.isNaN(seconds)) return fallbackMs
  return seconds > MAX_RETRY_AFTER_S ? undefined : Math.max(seconds, 0) * 1000
}

/** Reads at most `limit` bytes; undefined when there are more (the rest is not downloaded). */
async function readBody(res: Response, limit: number): Promise<Uint8Array | undefined> {
  if (res.body === null) return new Uint8Array()
  const chunks: Uint8Array[] = []
  let total = 0
  const reader = res.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > limit) {
      await reader.cancel().catch(() => undefined)
      return undefined
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks)
}

/** The `code`s of a Distribution error body (`{"errors":[{"code":"MANIFEST_UNKNOWN",...}]}`); messages are ignored. */
function errorCodes(body: Uint8Array): string[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(body).toString('utf8'))
  } catch {
    return []
  }
  const errors = asRecord(parsed)?.errors
  if (!Array.isArray(errors)) return []
  const codes = errors
    .map(e => asRecord(e)?.code)
    .filter((code): code is string => typeof code === 'string' && /^[A-Z][A-Z_]{0,40}$/.test(code))
  return [...new Set(codes)].slice(0, 3)
}

function parseUrl(text: string, base: URL): URL | null {
  try {
    return new URL(text, base)
  } catch {
    return null
  }
}

/** AbortSignal.timeout aborts with a DOMException named TimeoutError, possibly wrapped by fetch. */
function isTimeout(thrown: unknown, depth = 0): boolean {
  if (depth > 5 || typeof thrown !== 'object' || thrown === null) return false
  if ('name' in thrown && thrown.name === 'TimeoutError') return true
  return 'cause' in thrown && isTimeout(thrown.cause, depth + 1)
}

/** The system error code (ECONNREFUSED, ENOTFOUND, ...) under fetch's "fetch failed" TypeError. */
function errorCode(thrown: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof thrown !== 'object' || thrown === null) return undefined
  if ('code' in thrown && typeof thrown.code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(thrown.code)) {
    return thrown.code
  }
  // Happy eyeballs (localhost: ::1 and 127.0.0.1) fails with an AggregateError of both attempts.
  if (thrown instanceof AggregateError) {
    for (const inner of thrown.errors) {
      const code = errorCode(inner, depth + 1)
      if (code !== undefined) return code
    }
  }
  return 'cause' in thrown ? errorCode(thrown.cause, depth + 1) : undefined
}
