// What both corpus evaluations share: the scan of a generated corpus, its hits by file, and recall tallies.
import { join } from 'node:path'
import { scanContext } from '../src/secrets/scan.js'

export type HitsByFile = Map<string, Array<{ line: number; rule: string }>>

/** Scans the corpus as the action scans a build context (findings and installed-package notices alike). */
export async function scanCorpus(root: string): Promise<{ seconds: number; byFile: HitsByFile }> {
  const started = performance.now()
  const result = await scanContext({ context: root, dockerfile: join(root, 'Dockerfile') })
  const seconds = (performance.now() - started) / 1000
  const byFile: HitsByFile = new Map()
  for (const f of [...result.findings, ...(result.notices ?? [])]) {
    const list = byFile.get(f.file) ?? []
    list.push({ line: f.line, rule: f.rule })
    byFile.set(f.file, list)
  }
  return { seconds, byFile }
}

/** Samples found, found under their own (provider-specific) rule, and in all. */
export interface Tally {
  found: number
  named: number
  total: number
}

export function tally(map: Map<string, Tally>, key: string, found: boolean, named: boolean): void {
  const t = map.get(key) ?? { found: 0, named: 0, total: 0 }
  t.total++
  if (found) t.found++
  if (named) t.named++
  map.set(key, t)
}

export const pct = (a: number, b: number): string => `${((100 * a) / Math.max(1, b)).toFixed(1)}%`
