import { formatReference, isSha256Digest, parseImageReference } from '../grammar.js'
import { readFile } from 'node:fs/promises'

/** What buildx's --metadata-file tells about the result. */
export interface BuildMetadata {
  /** The image manifest (or index) digest, `sha256:<64 hex>`; absent when nothing was exported as an image. */
  digest?: string
  /** The image config digest (`containerimage.config.digest`): the built content, whatever the manifest. */
  configDigest?: string
  /** The names buildx gave the image (`image.name`, comma-separated there). */
  names: string[]
}

/** Parses the metadata JSON; anything missing or malformed yields no digest rather than a guess. */
export function parseMetadata(text: string): BuildMetadata {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return { names: [] }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { names: [] }
  const record = parsed as Record<string, unknown>
  const digest = record['containerimage.digest']
  const configDigest = record['containerimage.config.digest']
  const name = record['image.name']
  return {
    ...(typeof digest === 'string' && isSha256Digest(digest) ? { digest } : {}),
    ...(typeof configDigest === 'string' && isSha256Digest(configDigest) ? { configDigest } : {}),
    names:
      typeof name === 'string'
        ? name
            .split(',')
            .map(item => item.trim())
            .filter(item => item !== '')
        : []
  }
}

/** Reads and parses the metadata file; a file buildx never wrote (a failed build) yields no digest. */
export async function readMetadata(path: string): Promise<BuildMetadata> {
  try {
    return parseMetadata(await readFile(path, 'utf8'))
  } catch {
    return { names: [] }
  }
}

/**
 * Whether a line of the build's plain progress output says the engine gave the image `image` its name
 * (`#9 naming to docker.io/library/app:1 done`): from then the engine holds the image, while a containerd image
 * store may still be unpacking it. Names compare as references (`app:1` is `docker.io/library/app:1`).
 */
export function namesImage(line: string, image: string): boolean {
  const named = NAMING.exec(line.trim())?.[1]
  if (named === undefined) return false
  const [said, wanted] = [parseImageReference(named), parseImageReference(image)]
  return said !== undefined && wanted !== undefined && formatReference(said) === formatReference(wanted)
}

const NAMING = /^#\d+ naming to (\S+) done$/
