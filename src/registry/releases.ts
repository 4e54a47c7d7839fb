import { RELEASE_VERSION } from '../grammar.js'
import semver from 'semver'


/**
 * The version of the highest stable `X.Y.Z-<variant>` tag, e.g. `1.24.0` from `['1.23.0-python', '1.24.0-python',
 * '1-python', 'latest-python', '1.25.0-java']`; undefined when there is none.
 *
 * Everything else in an agent-server repository is ignored on purpose: the `X-<variant>`/`X.Y-<variant>` aliases
 * point at a release that is also tagged in full, and `latest-*`, sha and branch tags are builds of main, which no OHE
 * release ships.
 */
export function highestRelease(tags: readonly string[], variant: string): string | undefined {
  const suffix = `-${variant}`
  let best: string | undefined
  for (const tag of tags) {
    if (!tag.endsWith(suffix)) continue
    const version = tag.slice(0, -suffix.length)
    // semver.valid also refuses leading zeros (01.2.3), which no release uses.
    if (!RELEASE_VERSION.test(version) || semver.valid(version) === null) continue
    if (best === undefined || semver.gt(version, best)) best = version
  }
  return best
}
