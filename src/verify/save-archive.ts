/**
 * Reads a `docker save` archive as a stream. Three layouts exist: Docker Engine before 25 writes `<id>/layer.tar`
 * per layer plus `<config hex>.json` and `manifest.json`; Docker 25+ writes an OCI layout whose layers are
 * `blobs/sha256/<diff_id hex>` (uncompressed); with the containerd image store the layers are the registry's
 * compressed blobs, named by their own digests, next to index and attestation manifests. A layer named by its
 * diff_id or a known base blob digest is scanned or drained by name; any other is hashed while it is scanned to learn
 * its diff_id, and the base's results are dropped afterwards. The small JSON members are kept, and the image's own
 * config is found among them at the end (save-layout.ts).
 */
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { createGunzip, gzip } from 'node:zlib'
import * as tar from 'tar-stream'
import { bytes, drain, feed, scanLayerTar } from './layer-scan.js'
import type { ScanPool } from '../secrets/scan-pool.js'
import type { ScannedClean } from '../secrets/scanned-clean.js'
import { recordBudget } from './package-records.js'
import { findImageConfig } from './save-layout.js'
import type { ScannedImage } from './scanned-image.js'

/** What one archive member is. Pure. */
export type SaveEntry = { kind: 'blob'; digest: string } | { kind: 'legacy-layer' } | { kind: 'legacy-config'; digest: string } | { kind: 'other' }

export function classifySaveEntry(name: string): SaveEntry {
  const blob = /^(?:\.\/)?blobs\/sha256\/([0-9a-f]{64})$/.exec(name)
  if (blob) return { kind: 'blob', digest: `sha256:${blob[1]}` }
  if (/^(?:\.\/)?[0-9a-f]{64}\/layer\.tar$/.test(name)) return { kind: 'legacy-layer' }
  const config = /^(?:\.\/)?([0-9a-f]{64})\.json$/.exec(name)
  if (config) return { kind: 'legacy-config', digest: `sha256:${config[1]}` }
  return { kind: 'other' }
}

export interface ArchivePlan {
  /**
   * The image ID as the engine reports it: the config's digest (classic store), or the digest of the image's index
   * or manifest (containerd image store). Its config is read from the archive.
   */
  imageId: string
  /** The image's rootfs.diff_ids, base first. */
  diffIds: readonly string[]
  /** How many of them are the base's (a prefix); those are not scanned. */
  baseLayers: number
  spoolDir: string
  /** Files above this size are spooled to spoolDir (default SPOOL_AT); tests lower it. */
  spoolAt?: number
  /** Compressed digests of the base's layers (its registry manifest): blobs so named are skipped unread. */
  baseBlobs?: ReadonlySet<string>
  /** Also gzip the custom layers (level 1) to estimate their compressed size before anything is pushed. */
  estimateCompressed?: boolean
  /** Bytes of package records (image-packages.ts) kept across the custom layers; default RECORDS_TOTAL. */
  recordsTotal?: number
  /** Worker threads for the secret engine (LayerScanOptions.pool). */
  pool?: ScanPool
  /** The files the context scan found clean (LayerScanOptions.clean). */
  clean?: ScannedClean
}

/** What a scan of the archive found; the same shape whatever the image was read from. */
export type ArchiveScan = ScannedImage

/** A JSON member (config, manifest, index) above this is not kept; all of them together at most MAX_DOCUMENTS. */
export const MAX_CONFIG = 16 * 1024 * 1024
const MAX_DOCUMENTS = 64 * 1024 * 1024

export async function scanSaveArchive(archive: AsyncIterable<Buffer>, plan: ArchivePlan): Promise<ArchiveScan> {
  const custom = new Map<string, number>()
  plan.diffIds.forEach((id, index) => {
    if (index >= plan.baseLayers && !custom.has(id)) custom.set(id, index)
  })
  const base = new Set(plan.diffIds.slice(0, plan.baseLayers).filter(id => !custom.has(id)))
  const result: ArchiveScan = { layers: new Map(), sizes: new Map(), compressed: new Map(), skippedBase: 0, unreadable: 0, bytesRead: 0 }
  const extract = tar.extract()
  const feeding = feed(archive, extract)
  const budget = recordBudget(plan.recordsTotal)
  const scanOptions = {
    spoolDir: plan.spoolDir,
    records: budget,
    ...(plan.spoolAt ? { spoolAt: plan.spoolAt } : {}),
    ...(plan.pool ? { pool: plan.pool } : {}),
    ...(plan.clean ? { clean: plan.clean } : {})
  }
  const blobs = new Map<string, Buffer>()
  const files = new Map<string, Buffer>()
  let kept = 0
  const keep = (size: number): boolean => {
    if (size > MAX_CONFIG || kept + size > MAX_DOCUMENTS) return false
    kept += size
    return true
  }
  for await (const entry of extract) {
    const what = classifySaveEntry(entry.header.name)
    const size = entry.header.size ?? 0
    result.bytesRead += size
    const name = entry.header.name.replace(/^\.\//, '')
    if (what.kind === 'other' && (name === 'index.json' || name === 'manifest.json') && keep(size)) {
      files.set(name, await collect(bytes(entry)))
      continue
    }
    if (what.kind === 'legacy-config' && keep(size)) {
      blobs.set(what.digest, await collect(bytes(entry)))
      continue
    }
    if (what.kind === 'blob' && custom.has(what.digest)) {
      const index = custom.get(what.digest) as number
      const counter = { bytes: 0 }
      const source = plan.estimateCompressed ? gzipCounted(bytes(entry), counter) : bytes(entry)
      result.layers.set(index, await scanLayerTar(source, scanOptions))
      result.sizes.set(index, size)
      if (plan.estimateCompressed) result.compressed.set(index, counter.bytes)
      continue
    }
    if (what.kind === 'blob' && (base.has(what.digest) || plan.baseBlobs?.has(what.digest))) {
      result.skippedBase++
      await drain(bytes(entry))
      continue
    }
    const layer = what.kind === 'legacy-layer' || what.kind === 'blob' ? await sniffLayer(bytes(entry)) : undefined
    if (layer && layer.kind !== 'other' && entry.header.type === 'file') {
      // Named by something other than its diff_id (the old layout's v1 ids, or a compressed blob of the containerd
      // image store): the diff_id is the sha256 of the uncompressed tar, hashed while it is scanned.
      const hash = createHash('sha256')
      const counter = { bytes: 0 }
      const raw = { bytes: 0 }
      const tarBytes = counted(hashed(layer.kind === 'gzip' ? gunzipped(layer.source) : layer.source, hash), raw)
      const estimate = plan.estimateCompressed && layer.kind === 'tar'
      const scan = await scanLayerTar(estimate ? gzipCounted(tarBytes, counter) : tarBytes, scanOptions)
      const digest = `sha256:${hash.digest('hex')}`
      const index = custom.get(digest)
      if (index !== undefined) {
        result.layers.set(index, scan)
        result.sizes.set(index, raw.bytes)
        if (layer.kind === 'gzip') result.compressed.set(index, size)
        else if (estimate) result.compressed.set(index, counter.bytes)
      } else {
        // Not a custom layer after all: its records give their room back.
        for (const record of scan.records ?? []) budget.left += record.text.length + record.path.length
        budget.full = false
        if (base.has(digest)) result.skippedBase++
        // The base's /etc/passwd names the runtime user's HOME when the custom layers leave it alone.
        const baseIndex = plan.diffIds.indexOf(digest)
        if (scan.passwd !== undefined && baseIndex >= 0 && baseIndex >= (result.basePasswd?.layer ?? -1)) {
          result.basePasswd = { layer: baseIndex, text: scan.passwd }
        }
      }
      continue
    }
    if (layer?.kind === 'zstd') result.unreadable++
    if (layer?.kind === 'other' && what.kind === 'blob' && keep(size)) {
      // JSON: an index, a manifest, a config (the image's or an attestation's), an attestation's statement.
      blobs.set(what.digest, await collect(layer.source))
      continue
    }
    if (layer) {
      await drain(layer.source)
      continue
    }
    await drain(bytes(entry))
  }
  await feeding
  if ([...result.layers.values()].some(layer => layer.recordsDropped)) result.recordsDropped = true
  const found = findImageConfig({ blobs, files }, plan.imageId, plan.diffIds)
  if ('config' in found) result.config = found.config
  else result.configProblem = found.problem
  return result
}

/** Sample block size and rate of the compressed-size estimate. */
const SAMPLE_BLOCK = 1 << 20
const SAMPLE_EVERY = 16

/**
 * Passes the chunks on while estimating their gzip size: every 16th MiB (the first always) is gzipped at level 1
 * in the thread pool, and the ratio found is applied to the whole layer. Gzipping everything would cost more than
 * the scan itself (measured: 26 vs 224 MB/s on 2 cores); sampling keeps the scan's pace and stays within a few
 * percent on layers of one kind of content. Memory: one sample block.
 */
export async function* gzipCounted(source: AsyncIterable<Buffer>, counter: { bytes: number }): AsyncGenerator<Buffer> {
  let position = 0
  let sampledRaw = 0
  let sampledGzip = 0
  let block: Buffer[] = []
  let blockBytes = 0
  let pending: Promise<void> = Promise.resolve()
  const flush = async (): Promise<void> => {
    if (blockBytes === 0) return
    const data = Buffer.concat(block)
    block = []
    blockBytes = 0
    await pending
    pending = new Promise<void>((resolve, reject) =>
      gzip(data, { level: 1 }, (error, result) => {
        if (error) return reject(error)
        sampledRaw += data.length
        sampledGzip += result.length
        resolve()
      })
    )
  }
  for await (const chunk of source) {
    const sampled = Math.floor(position / SAMPLE_BLOCK) % SAMPLE_EVERY === 0
    position += chunk.length
    if (sampled) {
      block.push(chunk)
      blockBytes += chunk.length
      if (blockBytes >= SAMPLE_BLOCK) await flush()
    }
    yield chunk
  }
  await flush()
  await pending
  counter.bytes = sampledRaw > 0 ? Math.round((position * sampledGzip) / sampledRaw) : 0
}

export async function* hashed(source: AsyncIterable<Buffer>, hash: ReturnType<typeof createHash>): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    hash.update(chunk)
    yield chunk
  }
}

export type Sniffed = { kind: 'tar' | 'gzip' | 'zstd' | 'other'; source: AsyncIterable<Buffer> }

/** What a blob holds, from its first bytes: a tar (ustar magic at 257, or only zeros), gzip, zstd, or something else (JSON). */
export async function sniffLayer(source: AsyncIterable<Buffer>): Promise<Sniffed> {
  const iterator = source[Symbol.asyncIterator]()
  const held: Buffer[] = []
  let bytes = 0
  let done = false
  while (bytes < 512 && !done) {
    const next = await iterator.next()
    if (next.done) done = true
    else {
      held.push(next.value)
      bytes += next.value.length
    }
  }
  const head = Buffer.concat(held)
  const kind =
    head[0] === 0x1f && head[1] === 0x8b
      ? 'gzip'
      : head.readUInt32LE(0) === 0xfd2fb528 && head.length >= 4
        ? 'zstd'
        : (head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar') || isEmptyTar(head)
          ? 'tar'
          : 'other'
  async function* replay(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head
    if (done) return
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value
  }
  return { kind, source: replay() }
}

/** A layer that changed nothing is a tar of zero blocks only (its end-of-archive marker). */
function isEmptyTar(head: Buffer): boolean {
  return head.length >= 512 && head.subarray(0, 512).every(byte => byte === 0)
}

/**
 * zlib's default 16 KiB output chunks cost a thread-pool round trip each, and the stream then carries 18k chunks
 * for a 300 MB layer; 256 KiB ones halve the time of a plain gunzip (bench:layer).
 */
export const GUNZIP_CHUNK = 256 * 1024

export async function* gunzipped(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK })
  const feeding = (async () => {
    for await (const chunk of source) if (!gunzip.write(chunk)) await once(gunzip, 'drain')
    gunzip.end()
  })()
  feeding.catch((error: unknown) => gunzip.destroy(error instanceof Error ? error : new Error(String(error))))
  for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk
  await feeding
}

export async function* counted(source: AsyncIterable<Buffer>, counter: { bytes: number }): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    counter.bytes += chunk.length
    yield chunk
  }
}

export async function collect(entry: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of entry) chunks.push(chunk)
  return Buffer.concat(chunks)
}
