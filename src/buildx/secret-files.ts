import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { UserError } from '../errors.js'

/** Prefix of every temp dir this action makes, so the post step removes only its own. */
export const TEMP_PREFIX = 'ohe-sandbox-image-'

/** The secret ids buildx and a Dockerfile's `--mount=type=secret,id=…` can both carry without quoting. */
const secretId = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/

export interface SecretFile {
  id: string
  path: string
}

export interface SecretFiles {
  /** The private dir holding the files; remove it once the build is over. */
  dir: string
  files: SecretFile[]
}

/** A new dir only this user can enter (mkdtemp already creates it 0700; chmod states it against any umask). */
export async function makePrivateDir(base: string): Promise<string> {
  const dir = await mkdtemp(path.join(base, TEMP_PREFIX))
  await chmod(dir, 0o700)
  return dir
}

/**
 * Writes each secret value to its own 0600 file in a new private dir, for `--secret id=…,src=…`. Files are named by
 * position, never by id, so an id cannot steer a path. Values are never logged; ids are not secret and are quoted.
 */
export async function writeSecretFiles(secrets: Array<{ id: string; value: string }>, base: string): Promise<SecretFiles> {
  checkSecretIds(secrets)
  const dir = await makePrivateDir(base)
  try {
    const files: SecretFile[] = []
    for (const [index, { id, value }] of secrets.entries()) {
      const file = path.join(dir, `secret-${index + 1}`)
      // 'wx': never follow or overwrite something already there.
      await writeFile(file, value, { mode: 0o600, flag: 'wx' })
      await chmod(file, 0o600)
      files.push({ id, path: file })
    }
    return { dir, files }
  } catch (thrown) {
    await removeDir(dir)
    throw thrown
  }
}

/**
 * Refuses ids buildx or a Dockerfile could not carry, and repeated ids, quoting the id (ids are not secret). Called
 * by writeSecretFiles; readInputs may call it too, to fail before the checks and the scan run.
 */
export function checkSecretIds(secrets: ReadonlyArray<{ id: string }>): void {
  const seen = new Set<string>()
  for (const { id } of secrets) {
    if (!secretId.test(id)) {
      throw new UserError(`secrets: id '${id}' cannot be a BuildKit secret id. Use letters, digits, '_', '.' and '-', e.g. npm_token.`)
    }
    if (seen.has(id)) throw new UserError(`secrets: id '${id}' is given twice. Give each secret id once.`)
    seen.add(id)
  }
}

/** Removes a dir and everything in it; a dir already gone is fine. */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
}
