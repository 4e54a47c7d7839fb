/**
 * Paths inside layer tars, and the whiteouts by which a later layer deletes what an earlier one added (OCI image
 * layer spec: `.wh.<name>` deletes `<name>`, `.wh..wh..opq` in a folder deletes everything earlier layers put in
 * it). A deleted file is still in the image: its layer is pulled with it. Pure.
 */

const WHITEOUT = '.wh.'
const OPAQUE = '.wh..wh..opq'
/** Segments of anything but `/`, none of them `.`, joined by single slashes. */
const PLAIN = /^(?!\.(?:\/|$))[^/]+(?:\/(?!\.(?:\/|$))[^/]+)*$/

/** `./usr/bin/x`, `usr/bin/x/`, `/usr//bin/x` -> `/usr/bin/x`. */
export function imagePath(name: string): string {
  // Most names are already plain (`usr/bin/x`): no empty or `.` segment to drop.
  if (PLAIN.test(name)) return `/${name}`
  const parts = name.split('/').filter(part => part !== '' && part !== '.')
  return `/${parts.join('/')}`
}

export type Whiteout = { kind: 'file'; path: string } | { kind: 'opaque'; dir: string }

/** The deletion a tar entry stands for, or undefined when it is an ordinary entry. */
export function whiteoutOf(name: string): Whiteout | undefined {
  const path = imagePath(name)
  const slash = path.lastIndexOf('/')
  const dir = path.slice(0, slash) || '/'
  const base = path.slice(slash + 1)
  if (base === OPAQUE) return { kind: 'opaque', dir }
  if (base.startsWith(WHITEOUT) && base.length > WHITEOUT.length) {
    return { kind: 'file', path: `${dir === '/' ? '' : dir}/${base.slice(WHITEOUT.length)}` }
  }
  return undefined
}

/**
 * The first layer after `layer` whose whiteouts delete `path` (the path itself or a folder above it), or undefined
 * when the file is still visible in the final image. `whiteouts[i]` are layer i's.
 */
export function deletedIn(path: string, layer: number, whiteouts: ReadonlyArray<readonly Whiteout[]>): number | undefined {
  for (let later = layer + 1; later < whiteouts.length; later++) {
    for (const whiteout of whiteouts[later] ?? []) {
      if (whiteout.kind === 'file' && (path === whiteout.path || path.startsWith(`${whiteout.path}/`))) return later
      if (whiteout.kind === 'opaque' && path.startsWith(whiteout.dir === '/' ? '/' : `${whiteout.dir}/`)) return later
    }
  }
  return undefined
}
