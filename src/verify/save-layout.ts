/**
 * The image's own config in a `docker save` archive, found the same way in its three layouts. Pure.
 * - Docker Engine before 25: manifest.json names `<config hex>.json`; the image ID is the config's digest.
 * - Docker 25+, classic image store: an OCI layout, index.json -> the image manifest -> its config, every member
 *   under blobs/sha256/; the image ID is the config's digest.
 * - Docker 26+, containerd image store: index.json -> the image's own index (its digest is the image ID) -> one
 *   manifest per platform and BuildKit's attestation manifests (platform unknown/unknown, each with a config of its
 *   own whose rootfs lists the attestation's layer). The image's config is the linux/amd64 manifest's.
 * Whatever the path, the config found must list the layers the engine reports for the image (its diff_ids), so an
 * attestation's config or another image's can never stand in for it.
 */

/** The small JSON members of an archive, kept while it streams past. */
export interface SaveDocuments {
  /** By digest: `blobs/sha256/<hex>` (OCI layouts) and `<hex>.json` (the old layout's config). */
  blobs: ReadonlyMap<string, Buffer>
  /** `index.json` and `manifest.json`, when the archive has them. */
  files: ReadonlyMap<string, Buffer>
}

export type ConfigLookup = { config: Buffer } | { problem: string }

interface Descriptor {
  digest?: unknown
  platform?: { os?: unknown; architecture?: unknown }
  annotations?: Record<string, unknown>
}

const MAX_DEPTH = 4

/** The config of the image `imageId` whose layers are `diffIds`, or why it is not in the archive. */
export function findImageConfig(documents: SaveDocuments, imageId: string, diffIds: readonly string[]): ConfigLookup {
  const starts = [imageId, ...indexEntries(documents.files.get('index.json')), ...manifestConfigs(documents.files.get('manifest.json'))]
  let otherLayers = false
  for (const start of new Set(starts)) {
    const found = resolve(documents.blobs, start, 0)
    if (found === undefined) continue
    if (sameList(found.diffIds, diffIds)) return { config: found.config }
    otherLayers = true
  }
  const layout = documents.files.has('index.json')
    ? 'OCI layout'
    : documents.files.has('manifest.json')
      ? 'docker save layout before Docker 25'
      : 'unknown layout'
  return {
    problem: otherLayers
      ? `the image config in docker save (${layout}) lists other layers than the engine reports for the image`
      : `docker save (${layout}) holds no image config for ${imageId}`
  }
}

/** Follows an index or manifest down to a config (a document with rootfs), choosing the image's own manifest. */
function resolve(blobs: ReadonlyMap<string, Buffer>, digest: string, depth: number): { config: Buffer; diffIds: unknown } | undefined {
  const raw = blobs.get(digest)
  const doc = raw === undefined ? undefined : parseObject(raw)
  if (raw === undefined || doc === undefined || depth > MAX_DEPTH) return undefined
  const rootfs = doc.rootfs as { diff_ids?: unknown } | undefined
  if (typeof rootfs === 'object' && rootfs !== null) return { config: raw, diffIds: rootfs.diff_ids }
  if (Array.isArray(doc.manifests)) {
    for (const entry of imageManifests(doc.manifests as Descriptor[])) {
      const found = resolve(blobs, entry, depth + 1)
      if (found !== undefined) return found
    }
    return undefined
  }
  const config = doc.config as Descriptor | undefined
  return typeof config?.digest === 'string' ? resolve(blobs, config.digest, depth + 1) : undefined
}

/**
 * The digests of an index's entries that may be the image: linux/amd64 first, then entries without a platform;
 * never an attestation manifest, nor another platform's.
 */
export function imageManifests(entries: readonly Descriptor[]): string[] {
  const candidates = entries.filter(entry => typeof entry.digest === 'string' && entry.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest')
  const amd64 = candidates.filter(entry => entry.platform?.os === 'linux' && entry.platform.architecture === 'amd64')
  const unplatformed = candidates.filter(entry => entry.platform === undefined)
  return [...amd64, ...unplatformed].map(entry => entry.digest as string)
}

function indexEntries(raw: Buffer | undefined): string[] {
  const doc = raw === undefined ? undefined : parseObject(raw)
  return Array.isArray(doc?.manifests) ? imageManifests(doc.manifests as Descriptor[]) : []
}

/** manifest.json's Config paths (`<hex>.json`, `blobs/sha256/<hex>`) as digests. */
function manifestConfigs(raw: Buffer | undefined): string[] {
  let entries: unknown
  try {
    entries = raw === undefined ? [] : JSON.parse(raw.toString('utf8'))
  } catch {
    return []
  }
  if (!Array.isArray(entries)) return []
  return entries.flatMap(entry => {
    const match = /(?:^|\/)([0-9a-f]{64})(?:\.json)?$/.exec(
      typeof (entry as { Config?: unknown }).Config === 'string' ? (entry as { Config: string }).Config : ''
    )
    return match ? [`sha256:${match[1]}`] : []
  })
}

function parseObject(raw: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'))
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

function sameList(found: unknown, wanted: readonly string[]): boolean {
  return Array.isArray(found) && found.length === wanted.length && found.every((id, index) => id === wanted[index])
}
