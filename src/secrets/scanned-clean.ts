/**
 * Text files the context scan found nothing in, by kind, size and SHA-256. The engine is a pure function
 * of a file's bytes and kind, so the same bytes under the same kind in an image layer (a `COPY` of the context) would
 * come out clean again: the layer scan hashes such a file instead of scanning it, several times cheaper.
 */
import { createHash } from 'node:crypto'
import type { FileKind } from './engine.js'

export class ScannedClean {
  private readonly byShape = new Map<string, Set<string>>()
  private count = 0

  add(kind: FileKind, size: number, digest: string): void {
    const key = shapeOf(kind, size)
    let digests = this.byShape.get(key)
    if (!digests) this.byShape.set(key, (digests = new Set()))
    if (!digests.has(digest)) this.count++
    digests.add(digest)
  }

  /** The digests a file of this kind and size may have to be known clean; undefined when none (scan it). */
  candidates(kind: FileKind, size: number): ReadonlySet<string> | undefined {
    return this.byShape.get(shapeOf(kind, size))
  }

  get files(): number {
    return this.count
  }
}

function shapeOf(kind: FileKind, size: number): string {
  return `${size}:${kind.credential ?? ''}:${kind.dotenv ? 1 : 0}${kind.codeFile ? 1 : 0}${kind.dockerfile ? 1 : 0}`
}

export function digestOf(chunks: readonly Uint8Array[]): string {
  const digest = digester()
  for (const chunk of chunks) digest.update(chunk)
  return digest.end()
}

/** A digest taken as the bytes go by (a file scanned a chunk at a time). */
export function digester(): { update(bytes: Uint8Array): void; end(): string } {
  const hash = createHash('sha256')
  return { update: bytes => hash.update(bytes), end: () => hash.digest('base64') }
}
