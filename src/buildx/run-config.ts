/**
 * A DOCKER_CONFIG of this run's own that inherits the user's: a copy of their config.json (auths, credHelpers,
 * credsStore, proxies kept) and links to everything else in their config dir (cli-plugins with buildx, buildx's
 * builders, contexts). The action's own login then lands in this copy only: the user's entry (docker/login-action's)
 * is untouched for later steps, and concurrent jobs on one runner cannot log each other out. The post step removes
 * the copy; nothing of the user's config is ever changed or deleted.
 */
import { chmod, copyFile, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { dockerConfigKey } from '../registry/docker-credentials.js'

/** Every per-run config dir starts with this, so the post step removes only its own. */
export const RUN_CONFIG_PREFIX = 'ohe-docker-config-'

/** Makes the per-run config dir in `parent` (private, 0700) from the user's config dir `userDir` (it need not exist). */
export async function createRunDockerConfig(userDir: string, parent: string): Promise<string> {
  const dir = await mkdtemp(path.join(parent, RUN_CONFIG_PREFIX))
  await chmod(dir, 0o700)
  let entries: string[] = []
  try {
    entries = await readdir(userDir)
  } catch {
    // No config dir yet: an empty one of our own serves (docker starts from nothing, as it would there).
  }
  for (const name of entries) {
    if (name === 'config.json') {
      await copyFile(path.join(userDir, name), path.join(dir, name))
      await chmod(path.join(dir, name), 0o600)
    } else if (!name.startsWith('.')) {
      await symlink(path.join(userDir, name), path.join(dir, name))
    }
  }
  return dir
}

/** Whether `dir` is one this action made (the post step removes nothing else). */
export function isRunDockerConfig(dir: string): boolean {
  return path.isAbsolute(dir) && path.basename(dir).startsWith(RUN_CONFIG_PREFIX)
}

/**
 * Before the action's own `docker login` to `registry` in the per-run config: its login is to be stored in this
 * config's `auths`, not in a credential helper shared with the user (credHelpers/credsStore write outside the file).
 * An empty credHelpers entry tells the CLI to use the file for that registry only; other registries keep theirs.
 */
export async function storeLoginInFile(dir: string, registry: string): Promise<void> {
  const file = path.join(dir, 'config.json')
  let config: Record<string, unknown> = {}
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'))
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) config = parsed as Record<string, unknown>
  } catch {
    // Missing or broken: docker login would start from nothing too.
  }
  const key = dockerConfigKey(registry)
  const helpers = typeof config.credHelpers === 'object' && config.credHelpers !== null ? (config.credHelpers as Record<string, unknown>) : {}
  const needsFile = Object.hasOwn(helpers, key) || typeof config.credsStore === 'string'
  if (!needsFile) return
  config.credHelpers = { ...helpers, [key]: '' }
  // Written whole and renamed into place, as docker does: a docker command reading the config meanwhile (the build's
  // attestation support is asked during the login) sees the old file or the new one, never half of one.
  const written = `${file}.${process.pid}.tmp`
  await writeFile(written, `${JSON.stringify(config, null, '\t')}\n`, { mode: 0o600 })
  await rename(written, file)
}

/** Removes a per-run config dir (the links only, never what they point to). */
export async function removeRunDockerConfig(dir: string): Promise<void> {
  if (!isRunDockerConfig(dir)) return
  await rm(dir, { recursive: true, force: true })
}

/** The user's docker config dir as the CLI resolves it: `$DOCKER_CONFIG`, else `~/.docker`. */
export function userDockerConfigDir(env: Readonly<Record<string, string | undefined>>, home: string): string {
  return env.DOCKER_CONFIG ? env.DOCKER_CONFIG : path.join(env.HOME ? env.HOME : home, '.docker')
}
