/**
 * The end-to-end stack brought up by `scripts/e2e-stack.sh up`, as tests see it: where the registry is, its
 * credentials, and a minimal client of the registry's HTTP API (Distribution v2) to check what a build pushed.
 *
 * State dir: $OHE_E2E_STATE or /tmp/ohe-e2e (the script's convention); the password is generated per registry
 * start and read from <state>/registry-password, the user is <state>/registry-username ("ci").
 *
 * Rule for e2e tests: in CI (CI=true) they run and fail when the stack is down; elsewhere they are skipped,
 * reported as skipped, when it is not up:
 *
 *   const stack = await stackState()
 *   const describeE2E = e2eEnabled(stack) ? describe : describe.skip
 *
 * Tests of building, verifying and pushing run once per engine (stackEngines(): Docker 20.10 and Docker 26 with the
 * containerd image store), the action told which through DOCKER_HOST:
 *
 *   describeE2E.each(stackEngines())('on $name', engine => { ... runAction(inputs, workspace, { DOCKER_HOST: engine.dockerHost }) })
 */
import { Buffer } from 'node:buffer'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { MEDIA_TYPES } from '../../src/registry/client.js'

export const REGISTRY = '127.0.0.1:5000'
export const BASE_REPOSITORY = 'openhands/agent-server'
export const BASE_VERSIONS = ['1.22.0', '1.23.0', '1.24.0'] as const
export const BASE_ENTRYPOINT = ['tini', '--', '/usr/local/bin/openhands-agent-server'] as const

export interface StackState {
  /** host:port, as in image references: 127.0.0.1:5000 */
  registry: string
  username: string
  password: string
  stateDir: string
}

export function stateDir(): string {
  return process.env.OHE_E2E_STATE || '/tmp/ohe-e2e'
}

export function inCI(): boolean {
  return process.env.CI === 'true'
}

function readTrimmed(path: string): string | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim()
    return text === '' ? undefined : text
  } catch {
    return undefined
  }
}

/** The stack's files as `up` wrote them, without asking whether the registry answers. */
export function readStackFiles(dir: string = stateDir()): StackState | undefined {
  const password = readTrimmed(join(dir, 'registry-password'))
  if (password === undefined) return undefined
  return {
    registry: readTrimmed(join(dir, 'registry-url')) ?? REGISTRY,
    username: readTrimmed(join(dir, 'registry-username')) ?? 'ci',
    password,
    stateDir: dir
  }
}

/** The stack when it is up: its files are there and the registry accepts their credentials; else undefined. */
export async function stackState(dir: string = stateDir()): Promise<StackState | undefined> {
  const state = readStackFiles(dir)
  if (state === undefined) return undefined
  try {
    const res = await registryFetch(state, '/v2/', { timeoutMs: 3000 })
    return res.status === 200 ? state : undefined
  } catch {
    return undefined
  }
}

/**
 * Whether e2e tests run, given `await stackState()`: always in CI (so a stack that is down fails them there),
 * elsewhere only when the stack is up.
 */
export function e2eEnabled(state: StackState | undefined): boolean {
  return inCI() || state !== undefined
}

/** The stack, or an error that says how to bring it up: for tests that run in CI even when it is down. */
export function mustBeUp(state: StackState | undefined): StackState {
  if (state === undefined) {
    throw new Error(`the e2e stack is not up (state dir ${stateDir()}): run \`bash scripts/e2e-stack.sh up\` as root`)
  }
  return state
}

/** A Docker engine of the stack: tests run the action on it through DOCKER_HOST. */
export interface StackEngine {
  /** From its version and image store, e.g. `docker-20.10`, `docker-26.1-containerd`. */
  name: string
  /** Given to the action's environment and to the test's own docker commands. */
  dockerHost: string
}

/** The engines `e2e-stack.sh up` starts on a clean machine: the default socket's, and Docker 26 with the containerd image store. */
export const STACK_ENGINES: readonly StackEngine[] = [
  { name: 'docker-20.10', dockerHost: 'unix:///var/run/docker.sock' },
  { name: 'docker-26.1-containerd', dockerHost: 'unix:///run/ohe-docker26/docker.sock' }
]

/**
 * The engines to run stack tests on, as `up` listed them in <state>/engines (`<name> <DOCKER_HOST>` a line, the
 * default engine first). In CI every engine of STACK_ENGINES is in the list even when `up` did not list it (its tests
 * then fail on the missing socket: never skipped); elsewhere a stack without the file offers its default engine only.
 */
export function stackEngines(dir: string = stateDir()): StackEngine[] {
  const listed: StackEngine[] = []
  for (const line of (readTrimmed(join(dir, 'engines')) ?? '').split('\n')) {
    const [name, dockerHost] = line.trim().split(/\s+/)
    if (name && dockerHost) listed.push({ name, dockerHost })
  }
  if (inCI()) return [...listed, ...STACK_ENGINES.filter(engine => !listed.some(known => known.dockerHost === engine.dockerHost))]
  return listed.length > 0 ? listed : [{ name: 'default', dockerHost: process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock' }]
}

/** This process's environment with the engine's DOCKER_HOST: for the test's own docker commands. */
export function engineEnv(engine: StackEngine, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, DOCKER_HOST: engine.dockerHost, ...extra }
}

// The media types are protocol constants, shared with the action's own client; the reading code here stays separate.
export { MEDIA_TYPES }

const MANIFEST_ACCEPT = Object.values(MEDIA_TYPES).join(', ')

export type Auth = 'none' | { username: string; password: string }

export interface RegistryFetchOptions {
  method?: string
  accept?: string
  /** Default: the stack's own credentials. */
  auth?: Auth
  timeoutMs?: number
  body?: string | Uint8Array
  contentType?: string
}

/** One request to the registry API, e.g. registryFetch(state, '/v2/'); `auth: 'none'` sends no credentials. */
export async function registryFetch(
  state: Pick<StackState, 'registry' | 'username' | 'password'>,
  path: string,
  options: RegistryFetchOptions = {}
): Promise<Response> {
  const auth = options.auth ?? { username: state.username, password: state.password }
  const headers: Record<string, string> = {}
  if (auth !== 'none') {
    headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`
  }
  if (options.accept !== undefined) headers.Accept = options.accept
  if (options.contentType !== undefined) headers['Content-Type'] = options.contentType
  return fetch(`http://${state.registry}${path}`, {
    method: options.method ?? 'GET',
    headers,
    ...(options.body === undefined ? {} : { body: options.body }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 10000)
  })
}

export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  platform?: { architecture: string; os: string; variant?: string }
  annotations?: Record<string, string>
}

/** An image manifest or an index (manifest list); only the fields tests read are typed. */
export interface ManifestJson {
  schemaVersion: number
  mediaType?: string
  config?: Descriptor
  layers?: Descriptor[]
  manifests?: Descriptor[]
  annotations?: Record<string, string>
}

export interface Manifest {
  /** Docker-Content-Digest: the digest a pull by digest uses, and what buildx reports. */
  digest: string
  mediaType: string
  json: ManifestJson
}

export interface ImageConfig {
  /** Digest of the platform manifest the config was read from. */
  manifestDigest: string
  configDigest: string
  architecture: string
  os: string
  entrypoint: string[] | null
  cmd: string[] | null
  user: string
  labels: Record<string, string>
  exposedPorts: string[]
  env: string[]
}

interface ConfigBlob {
  architecture?: string
  os?: string
  config?: {
    Entrypoint?: string[] | null
    Cmd?: string[] | null
    User?: string
    Labels?: Record<string, string> | null
    ExposedPorts?: Record<string, unknown> | null
    Env?: string[] | null
  }
}

function isIndex(mediaType: string, json: ManifestJson): boolean {
  return mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerList || Array.isArray(json.manifests)
}

async function failure(res: Response, what: string): Promise<Error> {
  const body = await res.text().catch(() => '')
  return new Error(`registry: ${what}: HTTP ${res.status} ${body.slice(0, 300)}`.trim())
}

/** The registry's API with the stack's credentials. */
export class RegistryClient {
  constructor(readonly state: Pick<StackState, 'registry' | 'username' | 'password'>) {}

  private request(path: string, options?: RegistryFetchOptions): Promise<Response> {
    return registryFetch(this.state, path, options)
  }

  /** Tags of a repository; [] when the repository does not exist or all its tags were deleted. */
  async listTags(repo: string): Promise<string[]> {
    const res = await this.request(`/v2/${repo}/tags/list`)
    if (res.status === 404) return []
    if (!res.ok) throw await failure(res, `tags of ${repo}`)
    const body = (await res.json()) as { tags?: string[] | null }
    return body.tags ?? []
  }

  /** A manifest or index by tag or digest; undefined when there is none. */
  async getManifest(repo: string, ref: string): Promise<Manifest | undefined> {
    const res = await this.request(`/v2/${repo}/manifests/${ref}`, { accept: MANIFEST_ACCEPT })
    if (res.status === 404) return undefined
    if (!res.ok) throw await failure(res, `manifest ${repo}:${ref}`)
    const json = (await res.json()) as ManifestJson
    const digest = res.headers.get('docker-content-digest')
    if (digest === null) throw new Error(`registry: manifest ${repo}:${ref} came without Docker-Content-Digest`)
    const mediaType = (res.headers.get('content-type') ?? json.mediaType ?? '').split(';')[0]?.trim() ?? ''
    return { digest, mediaType, json }
  }

  /**
   * The image config of repo:ref for linux/amd64; an index is resolved to its linux/amd64 manifest.
   * Throws when the reference does not exist or has no linux/amd64 image.
   */
  async getConfig(repo: string, ref: string): Promise<ImageConfig> {
    let manifest = await this.getManifest(repo, ref)
    if (manifest === undefined) throw new Error(`registry: no manifest ${repo}:${ref}`)
    if (isIndex(manifest.mediaType, manifest.json)) {
      const entry = (manifest.json.manifests ?? []).find(d => d.platform?.os === 'linux' && d.platform.architecture === 'amd64')
      if (entry === undefined) throw new Error(`registry: ${repo}:${ref} has no linux/amd64 manifest`)
      manifest = await this.getManifest(repo, entry.digest)
      if (manifest === undefined) throw new Error(`registry: ${repo}@${entry.digest} listed but missing`)
    }
    const configDigest = manifest.json.config?.digest
    if (configDigest === undefined) throw new Error(`registry: ${repo}:${ref} has no config`)
    const res = await this.request(`/v2/${repo}/blobs/${configDigest}`)
    if (!res.ok) throw await failure(res, `config blob of ${repo}:${ref}`)
    const blob = (await res.json()) as ConfigBlob
    const c = blob.config ?? {}
    return {
      manifestDigest: manifest.digest,
      configDigest,
      architecture: blob.architecture ?? '',
      os: blob.os ?? '',
      entrypoint: c.Entrypoint ?? null,
      cmd: c.Cmd ?? null,
      user: c.User ?? '',
      labels: c.Labels ?? {},
      exposedPorts: Object.keys(c.ExposedPorts ?? {}).sort(),
      env: c.Env ?? []
    }
  }

  /**
   * Deletes the manifest a tag points to (the registry deletes by digest, so every tag on that manifest goes).
   * Returns false when the tag did not exist.
   */
  async deleteTag(repo: string, tag: string): Promise<boolean> {
    const manifest = await this.getManifest(repo, tag)
    if (manifest === undefined) return false
    const res = await this.request(`/v2/${repo}/manifests/${manifest.digest}`, { method: 'DELETE' })
    if (res.status === 404) return false
    if (res.status !== 202) throw await failure(res, `delete ${repo}:${tag}`)
    return true
  }
}
