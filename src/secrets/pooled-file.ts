// One file's work in the scan pool, the same on a worker and on the calling thread.
import { chunkReader } from './chunk-reader.js'
import { scanFile, type FileKind, type FileScan } from './engine.js'
import { digestOf } from './scanned-clean.js'

/** Besides the scan: hash a file that comes out clean (`digest`), or skip one whose digest is `known` clean. */
export interface ScanExtras {
  digest?: boolean
  known?: readonly string[]
}

export type PooledFile = ScanExtras & { kind: FileKind }

/** A file's scan, with its digest when asked and clean, or `known` when its digest was known clean (not scanned). */
export type PooledScan = FileScan & { digest?: string; known?: true }

/** One file's work, on whichever thread: hashing a file known clean is several times cheaper than scanning it. */
export function scanPooled(chunks: readonly Buffer[], size: number, file: PooledFile, buffer: Buffer): PooledScan {
  if (file.known && file.known.includes(digestOf(chunks))) return { findings: [], bytes: size, binary: false, known: true }
  const scan: PooledScan = scanFile(chunkReader(chunks), buffer, size, file.kind)
  if (file.digest && !scan.binary && scan.findings.length === 0) scan.digest = digestOf(chunks)
  return scan
}
