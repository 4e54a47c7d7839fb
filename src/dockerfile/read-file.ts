import { readFile, stat } from 'node:fs/promises'
import { UserError } from '../errors.js'

/** Far beyond any real Dockerfile; a larger file is a wrong `file` input, and reading it whole would waste memory. */
const MAX_DOCKERFILE_BYTES = 16 * 1024 * 1024

/** Reads the Dockerfile, turning each way the path can be wrong into an error that says what to set. */
export async function readDockerfile(file: string, shownAs: string): Promise<string> {
  const info = await stat(file).catch(() => undefined)
  if (!info) {
    throw new UserError(`Dockerfile '${shownAs}' does not exist. Set file to your Dockerfile's path, or add a Dockerfile to the context folder.`)
  }
  if (info.isDirectory()) {
    throw new UserError(`'${shownAs}' is a folder, not a Dockerfile. Set file to the Dockerfile inside it, e.g. ${shownAs.replace(/\/$/, '')}/Dockerfile.`)
  }
  if (!info.isFile()) throw new UserError(`'${shownAs}' is not a regular file. Set file to your Dockerfile's path.`)
  if (info.size > MAX_DOCKERFILE_BYTES) {
    throw new UserError(`'${shownAs}' is ${Math.round(info.size / 1048576)} MB, too large to be a Dockerfile. Check the file input.`)
  }
  try {
    return await readFile(file, 'utf8')
  } catch (thrown) {
    const code = (thrown as NodeJS.ErrnoException).code ?? 'unknown error'
    throw new UserError(`Cannot read Dockerfile '${shownAs}' (${code}). Check its permissions.`)
  }
}
