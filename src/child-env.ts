/**
 * The environment docker, buildx and the credential helpers they start get: what they need to run and to reach a
 * registry, never the action's inputs (`INPUT_REGISTRY-PASSWORD`, `INPUT_SECRETS`) nor the rest of the runner's
 * environment. Pure: the table tests run on it.
 */

/** Passed when set, by exact name. */
const NAMES: ReadonlySet<string> = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LC_ALL',
  'TMPDIR',
  'TZ',
  // Rootless dockerd's socket lives here; ssh: default forwards this agent.
  'XDG_RUNTIME_DIR',
  'SSH_AUTH_SOCK',
  // A self-hosted runner behind a TLS-inspecting proxy trusts its CA through these.
  'SSL_CERT_FILE',
  'SSL_CERT_DIR'
])

/** Passed when set, by prefix: the docker CLI's, buildx's and BuildKit's own settings. */
const PREFIXES = ['DOCKER_', 'BUILDX_', 'BUILDKIT_'] as const

/** Proxy settings, in either case, as curl, Go and the docker CLI read them. */
const PROXIES: ReadonlySet<string> = new Set(['http_proxy', 'https_proxy', 'no_proxy', 'all_proxy'])

/** What buildx's `type=gha` cache reads from the runner; passed only when cache-from/cache-to use it. */
export const GHA_CACHE_NAMES = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_CACHE_URL', 'ACTIONS_RESULTS_URL', 'ACTIONS_CACHE_SERVICE_V2'] as const

/** A name the user may list in docker-env: an environment variable name, and never one of the action's inputs. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

export function isInputVariable(name: string): boolean {
  return name.toUpperCase().startsWith('INPUT_')
}

/**
 * The child environment: the fixed names and prefixes above, proxies, and `extra` (names the user listed in
 * docker-env, the gha cache variables when needed). `INPUT_*` is never passed, even when listed.
 */
export function childEnv(env: Readonly<Record<string, string | undefined>>, extra: readonly string[] = []): Record<string, string> {
  const wanted = new Set(extra)
  const result: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || isInputVariable(name)) continue
    if (NAMES.has(name) || PREFIXES.some(prefix => name.startsWith(prefix)) || PROXIES.has(name.toLowerCase()) || wanted.has(name)) {
      result[name] = value
    }
  }
  return result
}

/** `type=gha` in any cache-from/cache-to entry: buildx then needs the runner's cache service variables. */
export function usesGhaCache(entries: readonly string[]): boolean {
  return entries.some(entry => /(?:^|,)\s*type\s*=\s*gha\s*(?:,|$)/.test(entry))
}

let configured: Record<string, string> | undefined

/**
 * The environment every docker process and credential helper gets, set once by main.ts from the runner's environment
 * (undefined: back to the default). Until it is set (a module called directly, as tests do), the same filter applies
 * to this process's environment as it is at each call: the one read of process.env below main.ts.
 */
export function setDockerEnvironment(env: Record<string, string> | undefined): void {
  configured = env
}

export function dockerEnvironment(): Record<string, string> {
  return configured ?? childEnv(process.env)
}
