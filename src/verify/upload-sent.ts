/**
 * Pushes the verified image by the action's own registry client: the manifests and blobs exactly as the engine sent
 * them to the loopback registry in the verify phase, so the registry gets the bytes that were scanned, and the engine
 * does not compress the custom layers a second time (Docker's classic store gzips a layer on every push). Blobs the
 * registry already has are skipped; the base's, which the engine never sent, are mounted or copied from the base's
 * repository; then the manifests go up, an index's children first, the tagged one under each tag.
 */
import * as core from '@actions/core'
import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { parseImageReference } from '../grammar.js'
import type { BlobDescriptor, BlobSource, RegistryClient } from '../registry/client.js'
import { RegistryError, type RegistryErrorKind } from '../registry/errors.js'
import type { RunRegistries } from '../registry/for-inputs.js'
import type { SentImage, SentManifest } from './loopback-export.js'
import { formatSize } from './size.js'

/** What goes up, in order: every blob the manifests name (once), then the manifests, the tagged one last. */
export interface UploadPlan {
  blobs: BlobDescriptor[]
  /** The index's children, put by digest before the index. */
  children: SentManifest[]
  top: SentManifest
}

interface ManifestJson {
  config?: { digest?: unknown; size?: unknown }
  layers?: Array<{ digest?: unknown; size?: unknown }>
  manifests?: Array<{ digest?: unknown }>
}

/** The upload of what the engine sent. Pure; throws an Error when the sent manifests are incomplete. */
export function planUpload(sent: Pick<SentImage, 'top' | 'manifest'>): UploadPlan {
  const parse = (manifest: SentManifest): ManifestJson => JSON.parse(manifest.body.toString('utf8')) as ManifestJson
  const top = parse(sent.top)
  const children = (top.manifests ?? []).map(entry => {
    const child = typeof entry.digest === 'string' ? sent.manifest(entry.digest) : undefined
    if (child === undefined) throw new Error(`the index ${sent.top.digest} names a manifest the engine did not send (${String(entry.digest)})`)
    return child
  })
  const blobs = new Map<string, BlobDescriptor>()
  for (const image of top.manifests ? children.map(parse) : [top]) {
    for (const descriptor of [image.config, ...(image.layers ?? [])]) {
      if (typeof descriptor?.digest !== 'string' || typeof descriptor.size !== 'number') throw new Error('a sent manifest has a blob without digest or size')
      blobs.set(descriptor.digest, { digest: descriptor.digest, size: descriptor.size })
    }
  }
  return { blobs: [...blobs.values()], children, top: sent.top }
}

export interface UploadOptions {
  registries: RunRegistries
  /** The base image's reference: the blobs the engine never sent are in its repository. */
  baseReference?: string
  /** ms for one blob's transfer; 0 for none. */
  timeoutMs: number
  /** ms without a byte moving before a transfer is given up (and tried again); 0 for none. */
  stallMs: number
  /** More attempts of a blob whose transfer failed on the way (network, 5xx, 429, a stall). */
  retries: number
  retryDelayMs?: number
}

export interface UploadResult {
  /** The digest of the manifest every reference now names: the verified one's own. */
  digest: string
  uploaded: number
  uploadedBytes: number
  present: number
  fromBase: number
  seconds: number
}

/** Blobs moved at once, as Docker pushes (max-concurrent-uploads is 5; fewer suits a 2-core runner). */
const PARALLEL = 3
const NO_LIMIT_MS = 6 * 3600_000
const RETRYABLE: ReadonlySet<RegistryErrorKind> = new Set(['server', 'rate-limited', 'timeout', 'unreachable'])

/**
 * Uploads the sent image under every reference (`registry/repository:tag`). Throws a RegistryError as the registry
 * answered, or an Error when the sent image cannot be uploaded as it is; the caller decides what then.
 */
export async function uploadSent(sent: SentImage, refs: readonly string[], options: UploadOptions): Promise<UploadResult> {
  const started = Date.now()
  const plan = planUpload(sent)
  const base = options.baseReference ? parseImageReference(options.baseReference) : undefined
  const result: UploadResult = { digest: sent.top.digest, uploaded: 0, uploadedBytes: 0, present: 0, fromBase: 0, seconds: 0 }
  const targets = new Map<string, { registry: string; repository: string; tags: string[] }>()
  for (const ref of refs) {
    const parsed = parseImageReference(ref)
    if (parsed === undefined || parsed.tag === undefined) throw new Error(`'${ref}' is not a repository:tag reference`)
    const key = `${parsed.registry}/${parsed.repository}`
    const target = targets.get(key) ?? { registry: parsed.registry, repository: parsed.repository, tags: [] }
    target.tags.push(parsed.tag)
    targets.set(key, target)
  }
  for (const { registry, repository, tags } of targets.values()) {
    const client = options.registries.client(registry)
    const sourceOf = (blob: BlobDescriptor): { source: BlobSource; mountFrom?: string } => {
      const file = sent.blobFile(blob.digest)
      if (file !== undefined) return { source: async () => Readable.toWeb(createReadStream(file, { highWaterMark: 1 << 20 })) as ReadableStream<Uint8Array> }
      if (base === undefined) throw new Error(`the image names blob ${blob.digest}, which the engine did not send and no base repository holds`)
      const from = options.registries.client(base.registry)
      return {
        source: () => from.openBlob(base.repository, blob, transfer(options)),
        ...(base.registry === registry ? { mountFrom: base.repository } : {})
      }
    }
    await inParallel(plan.blobs, PARALLEL, async blob => {
      if (await client.hasBlob(repository, blob.digest)) {
        result.present++
        return
      }
      const { source, mountFrom } = sourceOf(blob)
      const how = await withRetries(options, () => pushWatched(client, repository, blob, source, options, mountFrom))
      if (sent.blobFile(blob.digest) === undefined) result.fromBase++
      else if (how === 'uploaded') {
        result.uploaded++
        result.uploadedBytes += blob.size
      }
    })
    for (const child of plan.children) await client.putManifest(repository, child.digest, child.mediaType, child.body)
    for (const tag of tags) {
      const digest = await client.putManifest(repository, tag, plan.top.mediaType, plan.top.body)
      if (digest !== plan.top.digest) throw new Error(`${registry} stored ${repository}:${tag} as ${digest}, not the verified ${plan.top.digest}`)
    }
  }
  result.seconds = Math.round((Date.now() - started) / 100) / 10
  core.info(
    `Uploaded the verified image (${result.digest}) in ${result.seconds} s: ${result.uploaded} blob(s) sent (${formatSize(result.uploadedBytes)}, as scanned), ` +
      `${result.present} already in the registry, ${result.fromBase} from the base's repository.`
  )
  return result
}

function transfer(options: UploadOptions): { timeoutMs: number } {
  return { timeoutMs: options.timeoutMs > 0 ? options.timeoutMs : NO_LIMIT_MS }
}

/** One blob's push, given up when no byte moved for stallMs. */
async function pushWatched(
  client: RegistryClient,
  repository: string,
  blob: BlobDescriptor,
  source: BlobSource,
  options: UploadOptions,
  mountFrom: string | undefined
): Promise<'mounted' | 'uploaded'> {
  const stalled = new AbortController()
  let timer: NodeJS.Timeout | undefined
  // The body's last chunk may pass after the registry answered: the watch ends with the push, not with the body.
  let over = false
  const arm = (): void => {
    clearTimeout(timer)
    if (over || options.stallMs <= 0) return
    timer = setTimeout(() => stalled.abort(new Error(`no byte moved for ${options.stallMs / 1000} s`)), options.stallMs).unref()
  }
  const watched: BlobSource = async () => {
    const stream = await source()
    arm()
    return stream.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, out) {
          arm()
          out.enqueue(chunk)
        },
        // All sent: the registry's answer is watched the same way.
        flush: arm
      })
    )
  }
  try {
    return await client.pushBlob(repository, blob, watched, { ...transfer(options), signal: stalled.signal, ...(mountFrom ? { mountFrom } : {}) })
  } finally {
    over = true
    clearTimeout(timer)
  }
}

async function withRetries<T>(options: UploadOptions, attempt: () => Promise<T>): Promise<T> {
  for (let count = 0; ; count++) {
    try {
      return await attempt()
    } catch (thrown) {
      const again = !(thrown instanceof RegistryError) || RETRYABLE.has(thrown.kind)
      if (!again || count >= options.retries) throw thrown
      await new Promise(resolve => setTimeout(resolve, (options.retryDelayMs ?? 2_000) * 2 ** count))
    }
  }
}

async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++] as T)
  }
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker))
}
