/**
 * Scans one layer tar as a stream: every regular file it adds goes through the context scan's engine (scanFile),
 * whiteouts are collected, and nothing bigger than SPOOL_AT bytes is held in memory (a bigger text file is
 * spooled to a temp file and scanned from there). Binary files (a NUL in the first 8000 bytes, as git and the
 * context scan decide) are drained unread.
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import path from 'node:path'
import type * as tar from 'tar-stream'
import { scanFile, sharedScanBuffer, SNIFF, type FileKind, type RawFinding } from '../secrets/engine.js'
import { fileKind } from '../secrets/scan.js'
import { imagePath, whiteoutOf, type Whiteout } from './whiteout.js'
import { HELPER_NAME, type HelperEntry } from './helpers.js'
import { RECORD_MAX, packageRecordKind, type PackageRecord, type RecordBudget } from './package-records.js'
import { scanPooled, type PooledScan, type ScanExtras } from '../secrets/pooled-file.js'
import type { ScanPool } from '../secrets/scan-pool.js'
import { digestOf, type ScannedClean } from '../secrets/scanned-clean.js'
import { TarReader, type TarEntrySink, type TarHeader } from './tar-reader.js'

/** Files up to this size are scanned from memory; bigger text files from a temp file. */
export const SPOOL_AT = 32 * 1024 * 1024

export interface LayerFinding {
  /** The file's path in the image, e.g. /root/.npmrc. */
  path: string
  finding: RawFinding
}

export interface LayerScan {
  findings: LayerFinding[]
  whiteouts: Whiteout[]
  /** Text files scanned. */
  files: number
  /** Bytes of the files scanned (binary ones included: they were read to be judged). */
  bytes: number
  binary: number
  /** The package-manager records the layer adds (packageRecordKind), for the installed-package policy. */
  records?: PackageRecord[]
  /** Some records were not kept: the budget shared by the archive's layers ran out. */
  recordsDropped?: boolean
  /** Files and links named like the image's helpers (`prepare-*`, `*-verify`), for helpers.ts. */
  helpers?: HelperEntry[]
  /** The entries under the folders the sandbox checks watch (sandbox-files.ts), with their owners and modes. */
  entries?: LayerEntry[]
  /** The layer's /etc/passwd, when it has one. */
  passwd?: string
  /** Files (among `files`) and their bytes not scanned again: the context scan found the same bytes clean. */
  known?: { files: number; bytes: number }
}

/** A tar entry as the sandbox checks need it: where, what, whose. */
export interface LayerEntry {
  path: string
  kind: 'file' | 'dir' | 'link'
  uid: number
  gid: number
  mode: number
}

/** What the sandbox hides (/workspace) or may lock (HOME, /tmp): only entries under these are kept. */
export const WATCHED_FOLDERS = ['/workspace', '/tmp', '/home', '/root'] as const
/** Entries kept per layer: a layer that adds more (a vendored tree under /home) is counted by its first ones. */
const MAX_ENTRIES = 200_000
const PASSWD = '/etc/passwd'
const PASSWD_MAX = 1024 * 1024

function watched(file: string): boolean {
  return WATCHED_FOLDERS.some(folder => file.startsWith(`${folder}/`))
}

function keepEntry(result: LayerScan, header: TarHeader, file: string): void {
  if (!watched(file)) return
  result.entries ??= []
  if (result.entries.length >= MAX_ENTRIES) return
  const kind = header.type === 'directory' ? 'dir' : header.type === 'symlink' || header.type === 'link' ? 'link' : 'file'
  result.entries.push({ path: file, kind, uid: header.uid, gid: header.gid, mode: header.mode })
}

export interface LayerScanOptions {
  /** A private temp dir for spooled files. */
  spoolDir: string
  /** Default SPOOL_AT; tests lower it. */
  spoolAt?: number
  /** Keep package records within this budget (shared by the archive's layers); none are kept without it. */
  records?: RecordBudget
  /** Scan the files on these worker threads, beside the read; without it they are scanned on this one. */
  pool?: ScanPool
  /** Files the context scan found clean: one with the same kind, size and digest is hashed, not scanned. */
  clean?: ScannedClean
}

/**
 * The context scan's file kinds, judged by the path in the image: the same function, so that a copy of a context
 * file has the kind its scan had (the layer scan hashes copies of clean files by kind, size and digest).
 */
export function imageFileKind(file: string): FileKind {
  return fileKind(path.posix.basename(file), path.posix.basename(path.posix.dirname(file)), false)
}

let spoolCount = 0

/** Entry types a helper can be: a file, or a link to one. */
const LINK_OR_FILE: ReadonlySet<string> = new Set(['file', 'contiguous-file', 'symlink', 'link'])

/** A file or link named like a helper (`prepare-*`, `*-verify`), with whether its mode has an x bit. */
function keepHelper(result: LayerScan, header: TarHeader, file: string): void {
  if (!LINK_OR_FILE.has(header.type ?? '')) return
  const name = path.posix.basename(file)
  if (name.startsWith('.wh.') || !HELPER_NAME.test(name)) return
  ;(result.helpers ??= []).push({ path: file, executable: (header.mode & 0o111) !== 0 })
}

/** Feeds a byte stream into a tar extractor with backpressure; a failure of the source destroys the extractor. */
export function feed(source: AsyncIterable<Buffer>, extract: tar.Extract): Promise<void> {
  const done = (async () => {
    for await (const chunk of source) {
      if (!extract.write(chunk)) await new Promise<void>(resolve => extract.once('drain', () => resolve()))
    }
    extract.end(undefined)
  })()
  done.catch((error: unknown) => extract.destroy(error instanceof Error ? error : new Error(String(error))))
  return done
}

export async function scanLayerTar(layer: AsyncIterable<Buffer>, options: LayerScanOptions): Promise<LayerScan> {
  const result: LayerScan = { findings: [], whiteouts: [], files: 0, bytes: 0, binary: 0 }
  // Findings are listed in the layer's file order, whichever thread found them.
  const scanned: Array<{ file: string; findings: RawFinding[] | Promise<RawFinding[]> }> = []
  const reader = new TarReader(header =>
    entrySink(result, header, options, (file, findings) => {
      // Handled here, failed below: a worker's failure must not be an unhandled rejection while the read goes on.
      if (findings instanceof Promise) findings.catch(() => undefined)
      scanned.push({ file, findings })
    })
  )
  const pool = options.pool
  for await (const chunk of layer) {
    reader.write(chunk)
    const ready = pool?.ready()
    if (ready) await ready
  }
  reader.end()
  pool?.flush()
  for (const { file, findings } of scanned) for (const finding of await findings) result.findings.push({ path: file, finding })
  return result
}

/** What becomes of one entry's bytes: a regular file is judged (binary or text) and scanned at its end. */
function entrySink(
  result: LayerScan,
  header: TarHeader,
  options: LayerScanOptions,
  found: (file: string, findings: RawFinding[] | Promise<RawFinding[]>) => void
): TarEntrySink | undefined {
  const file = imagePath(header.name)
  keepHelper(result, header, file)
  // Only a name with `.wh.` in it can be one (most are not: skip the work).
  const whiteout = file.includes('.wh.') ? whiteoutOf(file) : undefined
  if (whiteout) result.whiteouts.push(whiteout)
  else keepEntry(result, header, file)
  if (whiteout || (header.type !== 'file' && header.type !== 'contiguous-file')) return undefined
  const spoolAt = options.spoolAt ?? SPOOL_AT
  const passwd: Buffer[] | undefined = file === PASSWD && header.size <= PASSWD_MAX ? [] : undefined
  const kind = imageFileKind(file)
  const record = options.records ? packageRecordKind(file) : undefined
  const recordChunks: Buffer[] = []
  let recordBytes = 0
  const chunks: Buffer[] = []
  let held = 0
  let sniffed = false
  let binary = false
  let spool: { path: string; fd: number } | undefined
  return {
    data(chunk) {
      result.bytes += chunk.length
      passwd?.push(chunk)
      if (record === 'content' && recordBytes < RECORD_MAX) {
        const part = chunk.subarray(0, RECORD_MAX - recordBytes)
        recordChunks.push(part)
        recordBytes += part.length
      }
      if (binary) return
      if (spool) {
        writeAll(spool.fd, chunk)
        return
      }
      chunks.push(chunk)
      held += chunk.length
      if (!sniffed && held >= SNIFF && kind.credential === undefined) {
        sniffed = true
        binary = hasNul(chunks, SNIFF)
        if (binary) chunks.length = 0
      }
      if (!binary && held > spoolAt) {
        const spoolPath = path.join(options.spoolDir, `spool-${process.pid}-${++spoolCount}`)
        spool = { path: spoolPath, fd: openSync(spoolPath, 'wx+', 0o600) }
        for (const held of chunks) writeAll(spool.fd, held)
        chunks.length = 0
      }
    },
    end() {
      if (passwd) result.passwd = Buffer.concat(passwd).toString('utf8')
      if (record !== undefined && options.records)
        keepRecord(result, options.records, file, record === 'content' ? Buffer.concat(recordChunks).toString('utf8') : '')
      if (!sniffed && !spool && kind.credential === undefined) binary = hasNul(chunks, SNIFF)
      if (binary) {
        result.binary++
        return
      }
      result.files++
      if (spool) {
        const fd = spool.fd
        try {
          found(file, scanFile((b, o, l, p) => readSync(fd, b, o, l, p), sharedScanBuffer(), Infinity, kind).findings)
        } finally {
          closeSync(fd)
          rmSync(spool.path, { force: true })
        }
      } else {
        const extras = knownExtras(options.clean, kind, chunks, held)
        if (extras === 'known') found(file, findingsOf(result, { findings: [], bytes: held, binary: false, known: true }))
        else if (options.pool)
          found(
            file,
            options.pool.scan(chunks, held, kind, extras).then(scan => findingsOf(result, scan))
          )
        else found(file, findingsOf(result, scanPooled(chunks, held, { kind, ...extras }, sharedScanBuffer())))
      }
    }
  }
}

/** Candidate digests sent with a file to the thread that scans it; with more, the digest is looked up here. */
const MAX_SENT_DIGESTS = 4

/** What a file's scan needs of the context's clean files: the digests it may have, or that it has one of them. */
function knownExtras(clean: ScannedClean | undefined, kind: FileKind, chunks: readonly Buffer[], size: number): ScanExtras | 'known' {
  const known = clean?.candidates(kind, size)
  if (!known) return {}
  // Many clean files of this size and kind (a vendored tree's): sending them all with each file would cost more.
  if (known.size > MAX_SENT_DIGESTS) return known.has(digestOf(chunks)) ? 'known' : {}
  return { known: [...known] }
}

function findingsOf(result: LayerScan, scan: PooledScan): RawFinding[] {
  if (scan.known) {
    result.known ??= { files: 0, bytes: 0 }
    result.known.files++
    result.known.bytes += scan.bytes
  }
  return scan.findings
}

/** The spool is written synchronously: the scan of an entry runs inside the tar reader's synchronous calls. */
function writeAll(fd: number, data: Buffer): void {
  for (let done = 0; done < data.length;) done += writeSync(fd, data, done, data.length - done)
}

function keepRecord(result: LayerScan, budget: RecordBudget, file: string, text: string): void {
  const cost = text.length + file.length
  if (budget.full || cost > budget.left) {
    budget.full = true
    result.recordsDropped = true
    return
  }
  budget.left -= cost
  if (!result.records) result.records = []
  result.records.push({ path: file, text })
}

function hasNul(chunks: readonly Buffer[], limit: number): boolean {
  let seen = 0
  for (const chunk of chunks) {
    const part = chunk.subarray(0, Math.min(chunk.length, limit - seen))
    if (part.includes(0)) return true
    seen += part.length
    if (seen >= limit) return false
  }
  return false
}

export async function drain(entry: AsyncIterable<Buffer>): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  for await (const _ of entry) {
    /* read and dropped */
  }
}

/** A tar entry's chunks: tar-stream's (streamx) entries yield Buffers, its types say unknown. */
export function bytes(entry: AsyncIterable<unknown>): AsyncIterable<Buffer> {
  return entry as AsyncIterable<Buffer>
}
