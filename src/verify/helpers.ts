/**
 * The image's own helper scripts, as the guide names them: executables the custom layers add on the image's PATH
 * whose names match `prepare-*` or `*-verify` (refresh a baked seed, check the workspace). Found from the layer
 * tars' entries, so a helper a later layer deleted or made non-executable is not listed. Pure.
 */
import path from 'node:path'
import { deletedIn, type Whiteout } from './whiteout.js'

/** Helper file names: `prepare-<anything>` or `<anything>-verify`. */
export const HELPER_NAME = /^prepare-.+$|^.+-verify$/

/** A layer entry whose name matches HELPER_NAME (collected by the layer scan). */
export interface HelperEntry {
  /** The path in the image, e.g. /usr/local/bin/prepare-project. */
  path: string
  /** A file or link with an x bit in its mode (a symlink's own mode always has one). */
  executable: boolean
}

export interface Helper {
  path: string
  name: string
  /** 1-based layer that added it. */
  layer: number
}

export interface HelperLayer {
  /** 0-based index into the image's layers. */
  index: number
  helpers: readonly HelperEntry[]
}

/** The PATH in an image config's Env (`PATH=a:b`), as folders; empty when unset. */
export function pathOf(env: readonly string[] | null | undefined): string[] {
  const entry = [...(env ?? [])].reverse().find(item => item.startsWith('PATH='))
  if (entry === undefined) return []
  return entry
    .slice('PATH='.length)
    .split(':')
    .filter(dir => dir.startsWith('/'))
    .map(dir => path.posix.normalize(dir).replace(/(.)\/$/, '$1'))
}

/**
 * The helpers in the final image: the last entry for each path wins (a later layer may rewrite or chmod it), it must
 * be executable, not deleted by a later layer's whiteout, and in a PATH folder. Sorted by name, then path.
 * `whiteouts[i]` are layer i's.
 */
export function discoverHelpers(layers: readonly HelperLayer[], whiteouts: ReadonlyArray<readonly Whiteout[]>, pathDirs: readonly string[]): Helper[] {
  const last = new Map<string, { entry: HelperEntry; index: number }>()
  for (const layer of [...layers].sort((a, b) => a.index - b.index)) {
    for (const entry of layer.helpers) last.set(entry.path, { entry, index: layer.index })
  }
  const dirs = new Set(pathDirs)
  const found: Helper[] = []
  for (const [file, { entry, index }] of last) {
    if (!entry.executable || !dirs.has(path.posix.dirname(file))) continue
    if (deletedIn(file, index, whiteouts) !== undefined) continue
    found.push({ path: file, name: path.posix.basename(file), layer: index + 1 })
  }
  return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}
