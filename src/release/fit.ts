/**
 * Which OHE releases ship the same agent-server version as one release: "agent-server 1.36.0: OHE 0.16.2 to 0.33.0".
 * Many consecutive OHE releases share one agent-server version, so the range is found by two binary searches over
 * the sorted releases, at most 2·⌈log2 n⌉ probes (16 for 197 releases), never a walk over every release.
 */
import semver from 'semver'

export interface FitRange {
  /** The agent-server version X.Y.Z the releases ship. */
  agentServer: string
  first: string
  last: string
  /** How many OHE releases are in the range. */
  count: number
}

/** The agent-server version X.Y.Z of the release at an index of the sorted list; undefined when it names none. */
export type Probe = (index: number) => Promise<string | undefined>

/**
 * The run of releases around `at` whose probe equals the probe at `at` (`agentServer`), assuming equal versions are
 * contiguous in release order (a release without the mapping counts as different). Each index is probed at most once.
 */
export async function sharedRange(releases: readonly string[], at: number, agentServer: string, probe: Probe): Promise<FitRange> {
  const seen = new Map<number, string | undefined>([[at, agentServer]])
  const same = async (index: number): Promise<boolean> => {
    if (!seen.has(index)) seen.set(index, await probe(index))
    return seen.get(index) === agentServer
  }
  // Smallest index in [0, at] that is the same.
  let low = 0
  let high = at
  while (low < high) {
    const middle = Math.floor((low + high) / 2)
    if (await same(middle)) high = middle
    else low = middle + 1
  }
  const first = low
  // Largest index in [at, n-1] that is the same.
  low = at
  high = releases.length - 1
  while (low < high) {
    const middle = Math.ceil((low + high) / 2)
    if (await same(middle)) low = middle
    else high = middle - 1
  }
  const last = low
  return { agentServer, first: releases[first] ?? '', last: releases[last] ?? '', count: last - first + 1 }
}

/** From a whole map (the release-map file): every release that ships `agentServer`; undefined when none does. */
export function rangeInMap(map: ReadonlyMap<string, string>, agentServer: string, versionOf: (tag: string) => string | undefined): FitRange | undefined {
  const releases = [...map.entries()]
    .filter(([, tag]) => versionOf(tag) === agentServer)
    .map(([release]) => release)
    .sort(semver.compare)
  const first = releases[0]
  const last = releases[releases.length - 1]
  if (first === undefined || last === undefined) return undefined
  return { agentServer, first, last, count: releases.length }
}

/** "agent-server 1.36.0: OHE 0.16.2 to 0.33.0" (or "OHE 0.45.0" for a single release). */
export function describeRange(range: FitRange): string {
  const releases = range.first === range.last ? `OHE ${range.first}` : `OHE ${range.first} to ${range.last}`
  return `agent-server ${range.agentServer}: ${releases}`
}
