/**
 * What the layer scan found in an image, whatever it was read from (a `docker save` archive, or the blobs the engine
 * pushed to the loopback registry): the custom layers' scans by their index in the config's rootfs.diff_ids, their
 * sizes, and the raw config. The assembly (image-scan.ts, image-packages.ts) reads only this.
 */
import type { LayerScan } from './layer-scan.js'

export interface ScannedImage {
  /** By layer index (into diffIds); only the custom layers have one. */
  layers: Map<number, LayerScan>
  /** Uncompressed size of each custom layer, by index. */
  sizes: Map<number, number>
  /** Compressed size of each custom layer, by index (estimated with gzip level 1 when the source was uncompressed). */
  compressed: Map<number, number>
  /** The raw config blob, as the engine holds it; absent when the source did not hold it. */
  config?: Buffer
  /** Why the config is absent: the verification then fails rather than report a config it never read. */
  configProblem?: string
  /** Base layers met and not scanned (or scanned and dropped, in the old save layout). */
  skippedBase: number
  /** Layer blobs that could not be read (zstd-compressed): their files were not scanned. */
  unreadable: number
  bytesRead: number
  /** Some package records of the custom layers were not kept: the records budget ran out. */
  recordsDropped?: boolean
  /** The last /etc/passwd of the base layers that were read (the old save layout reads them all); the custom layers' are in `layers`. */
  basePasswd?: { layer: number; text: string }
}
