/**
 * The package-manager records the image scan keeps while the custom layers stream by (which files, and how much of
 * them), for the installed-package policy applied afterwards (image-packages.ts).
 */
/** At most this much of one record is kept (the context scan reads the same first 1 MB of a record). */
export const RECORD_MAX = 1024 * 1024
/** All records kept for one image; past it no more are kept and the verify phase warns. */
export const RECORDS_TOTAL = 64 * 1024 * 1024

/** A package record found in a layer: its path in the image (`/usr/lib/...`) and its text (empty for a marker). */
export interface PackageRecord {
  path: string
  text: string
}

/** Shared by the layers of one archive: bytes that may still be kept, and whether some record was not. */
export interface RecordBudget {
  left: number
  full: boolean
}

export function recordBudget(total = RECORDS_TOTAL): RecordBudget {
  return { left: total, full: false }
}

/**
 * Whether a file in a layer is a record PackageIndex reads: `content` (its text is kept) or `marker` (only that it
 * exists: the name of a *.dist-info / *.egg-info folder is what tells a Python distribution and its version).
 * Pure; `file` is the path in the image.
 */
export function packageRecordKind(file: string): 'content' | 'marker' | undefined {
  const segs = file.split('/').filter(seg => seg !== '')
  const name = segs.at(-1) ?? ''
  const parent = segs.at(-2) ?? ''
  const grand = segs.at(-3) ?? ''
  if (name === 'package.json') {
    if (grand === 'node_modules' && !parent.startsWith('.') && !parent.startsWith('@')) return 'content'
    if (segs.at(-4) === 'node_modules' && grand.startsWith('@') && grand.length > 1 && !parent.startsWith('.')) return 'content'
    return undefined
  }
  const site = (dir: string): boolean => dir === 'site-packages' || dir === 'dist-packages'
  if (/\.(?:dist|egg)-info$/.test(parent) && site(grand)) return name === 'top_level.txt' || name === 'RECORD' ? 'content' : 'marker'
  if (/\.egg-info$/.test(name) && site(parent)) return 'marker'
  if (name === 'modules.txt' && parent === 'vendor') return 'content'
  if (name === 'installed.json' && parent === 'composer' && grand === 'vendor') return 'content'
  return undefined
}
