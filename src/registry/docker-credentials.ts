/**
 * Docker's own credentials for a registry, found as the docker CLI finds them: the config file
 * (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`), whose `credHelpers[<key>]` or `credsStore` names a
 * credential helper (`docker-credential-<name> get`), or else whose `auths[<key>]` holds them. So a
 * docker/login-action step before this one serves the action's own registry reads as it serves buildx.
 *
 * Nothing here throws: a missing or broken config, or a helper that is missing or fails, means no credentials, with a
 * reason for messages. Reasons name files, helpers, registries and exit codes only: never a credential, and never
 * a helper's output (it may hold one).
 */
import { Buffer } from 'node:buffer'
import { execFile, type ExecFileException } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import path from 'node:path'
import { dockerEnvironment } from '../child-env.js'
import { rememberSecret } from '../redaction.js'
import type { RegistryCredentials } from './client.js'

export type DockerLogin =
  | {
      found: true
      credentials: RegistryCredentials
      /** Where they came from, for messages: `/root/.docker/config.json` or `docker-credential-pass`. */
      source: string
    }
  | {
      found: false
      /** Why there are none, for messages: "docker has no login for ghcr.io in /root/.docker/config.json". */
      reason: string
    }

/** Docker Hub's key in config.json and the server address its credential helpers get, whatever the alias. */
export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/'
const DOCKER_HUB_NAMES: ReadonlySet<string> = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io'])
/** A helper may ask a cloud API (ecr-login, gcloud): generous, but a hung helper must not stall the job. */
export const HELPER_TIMEOUT_MS = 20_000
/** A helper answers with one small JSON object. */
const HELPER_MAX_BYTES = 1024 * 1024
/** `docker-credential-<name>` is run from PATH: a name with a path separator would run some other file. */
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

/**
 * `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`, as the docker CLI resolves it, in the environment docker
 * itself gets: the action's reads use the same login as its docker commands.
 */
export function dockerConfigFile(env: Readonly<Record<string, string | undefined>> = dockerEnvironment()): string {
  const dir = env.DOCKER_CONFIG ? env.DOCKER_CONFIG : path.join(env.HOME ? env.HOME : homedir(), '.docker')
  return path.join(dir, 'config.json')
}

/** The key docker stores a registry's login under: `https://index.docker.io/v1/` for Docker Hub, else host[:port]. */
export function dockerConfigKey(registry: string): string {
  return DOCKER_HUB_NAMES.has(registry.toLowerCase()) ? DOCKER_HUB_KEY : registry
}

/**
 * Docker's credentials for `registry` (host[:port] as in an image reference) from the config docker uses now. Not
 * memoised: the run's registry clients (runRegistries) ask once per registry.
 */
export async function dockerLoginFor(registry: string): Promise<DockerLogin> {
  const found = await readDockerLogin(registry, dockerConfigFile())
  // The summary and annotations never show a credential the run read, as they never show the inputs'.
  if (found.found) rememberSecret(found.credentials.password)
  return found
}

/** Docker's credentials for `registry` from the config file `file`, not memoised. Never throws. */
export async function readDockerLogin(registry: string, file: string, timeoutMs: number = HELPER_TIMEOUT_MS): Promise<DockerLogin> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (thrown) {
    const missing = errorCode(thrown) === 'ENOENT'
    return { found: false, reason: missing ? `there is no docker config ${file}` : `docker's config ${file} cannot be read` }
  }
  const found = loginInConfig(text, registry, file)
  if (!('helper' in found)) return found
  return runCredentialHelper(found.helper, dockerConfigKey(registry), registry, timeoutMs)
}

/**
 * What config.json says about `registry`: a credential helper to ask, or the login in `auths`, or why there is none.
 * Pure: the table tests run on it.
 */
export function loginInConfig(text: string, registry: string, file: string): DockerLogin | { helper: string } {
  let config: unknown
  try {
    config = JSON.parse(text)
  } catch {
    return { found: false, reason: `docker's config ${file} is not valid JSON` }
  }
  if (!isRecord(config)) return { found: false, reason: `docker's config ${file} is not a JSON object` }
  const key = dockerConfigKey(registry)

  // As the CLI: credHelpers[key] wins (an empty name there means "use auths"), else credsStore.
  const helpers = isRecord(config.credHelpers) ? config.credHelpers : {}
  const named = Object.hasOwn(helpers, key) ? helpers[key] : config.credsStore
  if (typeof named === 'string' && named !== '') {
    if (!HELPER_NAME.test(named)) return { found: false, reason: `docker's config ${file} names an invalid credential helper for ${registry}` }
    return { helper: named }
  }

  const auths = isRecord(config.auths) ? config.auths : {}
  const entry = authEntry(auths, key)
  if (entry === undefined) return { found: false, reason: `docker has no login for ${registry} in ${file}` }
  return loginFromEntry(entry, registry, file)
}

/** `key` as is, then `https://key`, `http://key`, then any key whose host is `key` (e.g. https://key/v2/), as the CLI. */
function authEntry(auths: Record<string, unknown>, key: string): unknown {
  for (const candidate of [key, `https://${key}`, `http://${key}`]) if (Object.hasOwn(auths, candidate)) return auths[candidate]
  const host = key.toLowerCase()
  for (const [name, entry] of Object.entries(auths)) if (hostOf(name).toLowerCase() === host) return entry
  return undefined
}

/** docker's ConvertToHostname: without http:// or https:// and without any path. */
function hostOf(address: string): string {
  const stripped = address.replace(/^https?:\/\//, '')
  const slash = stripped.indexOf('/')
  return slash === -1 ? stripped : stripped.slice(0, slash)
}

function loginFromEntry(entry: unknown, registry: string, file: string): DockerLogin {
  const unusable = (why: string): DockerLogin => ({ found: false, reason: `the login for ${registry} in ${file} ${why}` })
  if (!isRecord(entry)) return unusable('is not a JSON object')
  if (nonEmptyString(entry.identitytoken) || nonEmptyString(entry.registrytoken)) {
    return unusable('is a token, which this action cannot send (only a user name and password)')
  }
  let username = typeof entry.username === 'string' ? entry.username : ''
  let password = typeof entry.password === 'string' ? entry.password : ''
  if (nonEmptyString(entry.auth)) {
    // The CLI decodes `auth` strictly (standard base64, user:password with a user) and it wins over the fields.
    const decoded = decodeAuth(entry.auth)
    if (decoded === undefined) return unusable('has an `auth` that is not base64 of user:password')
    ;({ username, password } = decoded)
  }
  if (username === '' && password === '') return unusable('has no user name or password')
  return { found: true, credentials: { username, password }, source: file }
}

function decodeAuth(auth: string): RegistryCredentials | undefined {
  const compact = auth.replace(/[\r\n]/g, '')
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined
  const decoded = Buffer.from(compact, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon <= 0) return undefined
  // The CLI trims NUL padding some old tools wrote after the password.
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1).replace(/^\0+|\0+$/g, '') }
}

/**
 * `docker-credential-<name> get` with the server address on stdin, without a shell, for at most `timeoutMs`; its
 * stdout is `{"ServerURL": ..., "Username": ..., "Secret": ...}`. Any failure (not on PATH, not found, a non-zero
 * exit, a timeout, bad JSON) means no credentials, as the CLI treats a helper that has none.
 */
function runCredentialHelper(name: string, server: string, registry: string, timeoutMs: number): Promise<DockerLogin> {
  const program = `docker-credential-${name}`
  const none = (why: string): DockerLogin => ({ found: false, reason: `${program}, docker's credential helper for ${registry}, ${why}` })
  const options = {
    // The same minimal environment docker gets (PATH, HOME, DOCKER_*, proxies, docker-env's names), never INPUT_*.
    env: dockerEnvironment(),
    timeout: timeoutMs,
    maxBuffer: HELPER_MAX_BYTES,
    encoding: 'utf8' as const,
    windowsHide: true
  }
  return new Promise(resolve => {
    const answered = (error: ExecFileException | null, stdout: string): void => {
      if (error === null) return resolve(helperAnswer(stdout, program, registry, none))
      const code = errorCode(error)
      if (code === 'ENOENT') return resolve(none('is not on PATH'))
      if (error.killed || error.signal === 'SIGTERM') return resolve(none(`did not answer within ${timeoutMs / 1000} s`))
      if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return resolve(none('answered with too much output'))
      if (code !== undefined) return resolve(none(`could not be run (${code})`))
      // The helpers' "credentials not found in native keychain" is exit status 1.
      resolve(none(`has no usable login (exit status ${typeof error.code === 'number' ? error.code : 'unknown'})`))
    }
    try {
      const child = execFile(program, ['get'], options, answered)
      // A helper that exits before reading stdin makes the write fail with EPIPE: its exit status is what counts.
      child.stdin?.on('error', () => undefined)
      child.stdin?.end(server)
    } catch (thrown) {
      resolve(none(`could not be run (${errorCode(thrown) ?? 'spawn failed'})`))
    }
  })
}

function helperAnswer(stdout: string, program: string, registry: string, none: (why: string) => DockerLogin): DockerLogin {
  let answer: unknown
  try {
    answer = JSON.parse(stdout)
  } catch {
    return none('answered with something that is not JSON')
  }
  if (!isRecord(answer)) return none('answered with something that is not a JSON object')
  const username = typeof answer.Username === 'string' ? answer.Username : ''
  const secret = typeof answer.Secret === 'string' ? answer.Secret : ''
  // `<token>` marks an identity token (an OAuth refresh token), which basic auth cannot carry.
  if (username === '<token>') return none('holds a token, which this action cannot send (only a user name and password)')
  if (username === '' && secret === '') return none(`has no login for ${registry}`)
  return { found: true, credentials: { username, password: secret }, source: program }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== ''
}

function errorCode(thrown: unknown): string | undefined {
  if (typeof thrown !== 'object' || thrown === null || !('code' in thrown)) return undefined
  return typeof thrown.code === 'string' ? thrown.code : undefined
}
