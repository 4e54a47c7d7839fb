/**
 * Reads only what a build added: the loaded image is pushed by the Docker engine to a registry this process runs on
 * 127.0.0.1 (loopback-registry.ts), which answers "present" for every blob of the base, so the engine sends just
 * the custom layers and the config. Each arrives as a stream and goes through the layer scan as it comes (gzip or
 * raw tar); nothing is written to disk but the scan's own spooled files. The engine pushes what it would push to
 * the real registry (measured: Docker 20.10 gzips each custom layer once; a containerd image store sends the blobs
 * it holds), and a Docker engine that is not on this host's loopback (a remote DOCKER_HOST, rootless dockerd) cannot
 * reach it: then the push fails at once and the caller reads `docker save` instead.
 */
import { createHash } from 'node:crypto'
import type { ScanPool } from '../secrets/scan-pool.js'
import type { ScannedClean } from '../secrets/scanned-clean.js'
import { runDocker, SHORT_TIMEOUT_MS, type DockerCommand } from '../buildx/docker.js'
import { drain, scanLayerTar, type LayerScan, type LayerScanOptions } from './layer-scan.js'
import { startLoopbackRegistry } from './loopback-registry.js'
import { recordBudget } from './package-records.js'
import { collect, counted, gunzipped, gzipCounted, hashed, MAX_CONFIG, sniffLayer } from './save-archive.js'
import type { ScannedImage } from './scanned-image.js'

/** One uploaded blob, read. */
export type BlobRead =
  { kind: 'layer'; scan: LayerScan; diffId: string; uncompressed: number; compressed: number } | { kind: 'json'; bytes: Buffer } | { kind: 'unreadable' }

export interface LoopbackPlan {
  /**
   * Digests (compressed and uncompressed) of the base's layers with their sizes: the engine is told it need not send
   * them. While they are still being read, the loopback registry starts and the image is tagged for it.
   */
  baseBlobs: ReadonlyMap<string, number> | Promise<ReadonlyMap<string, number>>
  spoolDir: string
  spoolAt?: number
  recordsTotal?: number
  /** Deadline of the engine's push to the loopback registry. */
  timeoutMs?: number
  /** Keep what the engine sent here (the blobs as files), for the push to upload exactly those bytes. */
  keepDir?: string
  /** Worker threads for the secret engine (LayerScanOptions.pool). */
  pool?: ScanPool
  /** The files the context scan found clean (LayerScanOptions.clean). */
  clean?: ScannedClean
  /** Takes the removal of the loopback tag, which then goes on while the run does; without it the read awaits it. */
  deferRemoval?: (removed: Promise<void>) => void
}

/** A manifest as the engine pushed it. */
export interface SentManifest {
  digest: string
  mediaType: string
  body: Buffer
}

/** The image exactly as the engine pushed it to the loopback registry, kept for the push (LoopbackPlan.keepDir). */
export interface SentImage {
  /** The manifest the tag named: an index when the image store keeps one (attestations), else the image's. */
  top: SentManifest
  /** A manifest the index names, by digest. */
  manifest(digest: string): SentManifest | undefined
  /** The file of a blob the engine sent; undefined for the base's, which it never sent. */
  blobFile(digest: string): string | undefined
}

export interface LoopbackScan extends ScannedImage {
  /** The config's rootfs.diff_ids: the image the engine sent, base first. */
  diffIds: string[]
  /** Blobs the engine sent (custom layers and config). */
  blobsSent: number
  /** Indexes of the layers the engine did not send: their bytes are a base layer's. */
  notSent: Set<number>
  /** What the engine sent, when it was kept. */
  sent?: SentImage
}

/** Why the engine could not push to the loopback registry; the caller falls back to `docker save`. */
export class LoopbackUnreachable extends Error {}

/** Reads one blob: a layer (gzip or tar) through the layer scan, hashed to its diff_id; anything else kept when small (the config). */
export function blobReader(options: LayerScanOptions): (bytes: AsyncIterable<Buffer>) => Promise<BlobRead> {
  return async bytes => {
    const blob = await sniffLayer(bytes)
    if (blob.kind === 'zstd') {
      await drain(blob.source)
      return { kind: 'unreadable' }
    }
    if (blob.kind === 'other') {
      const raw = { bytes: 0 }
      const kept = await collect(counted(blob.source, raw))
      return raw.bytes <= MAX_CONFIG ? { kind: 'json', bytes: kept } : { kind: 'unreadable' }
    }
    const hash = createHash('sha256')
    const sent = { bytes: 0 }
    const raw = { bytes: 0 }
    const estimate = { bytes: 0 }
    const tar = counted(hashed(blob.kind === 'gzip' ? gunzipped(counted(blob.source, sent)) : blob.source, hash), raw)
    const scan = await scanLayerTar(blob.kind === 'tar' ? gzipCounted(tar, estimate) : tar, options)
    return {
      kind: 'layer',
      scan,
      diffId: `sha256:${hash.digest('hex')}`,
      uncompressed: raw.bytes,
      compressed: blob.kind === 'gzip' ? sent.bytes : estimate.bytes
    }
  }
}

/**
 * Pushes `image` (in the engine) to a loopback registry and scans what arrives. Throws LoopbackUnreachable when the
 * engine cannot reach it, and an Error when what it sent cannot be read as one image.
 */
export async function scanThroughLoopback(image: string, plan: LoopbackPlan, docker: DockerCommand = runDocker): Promise<LoopbackScan> {
  const budget = recordBudget(plan.recordsTotal)
  const options: LayerScanOptions = {
    spoolDir: plan.spoolDir,
    records: budget,
    ...(plan.spoolAt ? { spoolAt: plan.spoolAt } : {}),
    ...(plan.pool ? { pool: plan.pool } : {}),
    ...(plan.clean ? { clean: plan.clean } : {})
  }
  // Filled before the push: the engine asks about no blob until then.
  const known = new Map<string, number>()
  const registry = await startLoopbackRegistry({
    known,
    receive: blobReader(options),
    ...(plan.keepDir !== undefined ? { keepDir: plan.keepDir } : {})
  })
  const tag = 'verify'
  const reference = registry.reference(tag)
  const tagging = docker(['tag', image, reference], { silent: true, timeoutMs: SHORT_TIMEOUT_MS })
  try {
    const [tagged, baseBlobs] = await Promise.all([tagging, plan.baseBlobs])
    if (tagged.exitCode !== 0) throw new Error(`docker tag ${image} ${reference} failed: ${tagged.stderr.at(-1) ?? tagged.exitCode}`)
    for (const [digest, size] of baseBlobs) known.set(digest, size)
    const pushed = await docker(['push', reference], { silent: true, ...(plan.timeoutMs ? { timeoutMs: plan.timeoutMs } : {}) })
    if (pushed.exitCode !== 0) {
      const reason = pushed.killed ? `stopped after ${Math.round(pushed.killed.afterMs / 1000)} s` : (pushed.stderr.at(-1) ?? `exit code ${pushed.exitCode}`)
      throw new LoopbackUnreachable(`the engine could not push to ${registry.host}: ${reason}`)
    }
    const scan = assemble(reference => registry.manifest(reference)?.body, tag, registry.blobs)
    const top = registry.manifest(tag)
    if (plan.keepDir !== undefined && top !== undefined) scan.sent = { top, manifest: registry.manifest, blobFile: registry.blobFile }
    return scan
  } finally {
    // After the tag command has ended, whichever way: the base's read may have failed while it ran.
    const untagged = tagging
      .then(() => docker(['image', 'rm', reference], { silent: true, timeoutMs: SHORT_TIMEOUT_MS }))
      .then(
        () => undefined,
        () => undefined
      )
    if (plan.deferRemoval) plan.deferRemoval(untagged)
    else await untagged
    await registry.close()
  }
}

interface ManifestJson {
  config?: { digest?: string }
  layers?: Array<{ digest?: string }>
  /** An index (a containerd image store pushes one with the build's attestations). */
  manifests?: Array<{ digest?: string; platform?: { os?: string; architecture?: string } }>
}

/**
 * The scan of the image `tag` names (the linux/amd64 one when it is an index), from the blobs read. A layer the
 * engine did not send has the bytes of a base layer (it asked, and only the base's are answered as present). Pure.
 */
export function assemble(
  manifestOf: (reference: string) => Buffer | undefined,
  tag: string,
  blobs: ReadonlyMap<string, { size: number; result: BlobRead }>
): LoopbackScan {
  const read = (reference: string): ManifestJson => {
    const body = manifestOf(reference)
    if (!body) throw new Error(`the engine pushed no manifest ${reference} to the loopback registry`)
    return JSON.parse(body.toString('utf8')) as ManifestJson
  }
  let manifest = read(tag)
  if (manifest.manifests) {
    const image = manifest.manifests.find(entry => entry.platform?.os === 'linux' && entry.platform.architecture === 'amd64')
    manifest = read(image?.digest ?? 'no linux/amd64 image in the index')
  }
  const config = blobs.get(manifest.config?.digest ?? '')?.result
  if (config?.kind !== 'json') throw new Error(`the engine pushed no readable config (${manifest.config?.digest ?? 'none named'})`)
  const parsed = JSON.parse(config.bytes.toString('utf8')) as { rootfs?: { diff_ids?: string[] } }
  const diffIds = parsed.rootfs?.diff_ids ?? []
  const layers = manifest.layers ?? []
  if (layers.length !== diffIds.length) throw new Error(`the pushed manifest has ${layers.length} layers, its config ${diffIds.length}`)
  const result: LoopbackScan = {
    layers: new Map(),
    sizes: new Map(),
    compressed: new Map(),
    config: config.bytes,
    skippedBase: 0,
    unreadable: 0,
    bytesRead: 0,
    diffIds,
    blobsSent: 0,
    notSent: new Set()
  }
  for (const blob of blobs.values()) {
    result.blobsSent++
    result.bytesRead += blob.size
  }
  layers.forEach((layer, index) => {
    const read = blobs.get(layer.digest ?? '')?.result
    if (read === undefined) {
      // Not sent: the engine was told the base has it.
      result.skippedBase++
      result.notSent.add(index)
      return
    }
    if (read.kind !== 'layer') {
      result.unreadable++
      return
    }
    if (read.diffId !== diffIds[index]) throw new Error(`layer ${index + 1} hashes to ${read.diffId}, its config says ${diffIds[index] ?? 'nothing'}`)
    result.layers.set(index, read.scan)
    result.sizes.set(index, read.uncompressed)
    result.compressed.set(index, read.compressed)
  })
  if ([...result.layers.values()].some(layer => layer.recordsDropped)) result.recordsDropped = true
  return result
}
