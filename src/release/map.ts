/**
 * The OHE release map, read from OpenHands-Cloud's files: which agent-server tag each OHE release runs. Pure: tag refs
 * and file texts in, versions and tags out; reading them is github.ts's job.
 *
 * Facts (OpenHands/OpenHands-Cloud): each OHE release is a git tag `openhands/X.Y.Z`. At that tag
 * `replicated/config.yaml` has the Admin Console option `custom_sandbox_image_tag` (spec.groups[].items[]) whose
 * `default` is the agent-server tag the release runs (from about 0.7.30), and `charts/openhands/values.yaml` has the
 * same tag at `global.agentServerImage.tag` (from about 0.11.0).
 */
import semver from 'semver'
import { parse } from 'yaml'

export const OHE_TAG_PREFIX = 'openhands/'
export const CONFIG_FILE = 'replicated/config.yaml'
export const VALUES_FILE = 'charts/openhands/values.yaml'
export const CONFIG_OPTION = 'custom_sandbox_image_tag'

const RELEASE = /^\d+\.\d+\.\d+$/

/** `refs/tags/openhands/0.45.0` (or `openhands/0.45.0`) → the OHE releases, oldest first; other tag families are not releases. */
export function releasesFromRefs(refs: readonly string[]): string[] {
  const versions = new Set<string>()
  for (const ref of refs) {
    const name = ref.replace(/^refs\/tags\//, '')
    if (!name.startsWith(OHE_TAG_PREFIX)) continue
    const version = name.slice(OHE_TAG_PREFIX.length)
    if (RELEASE.test(version) && semver.valid(version)) versions.add(version)
  }
  return [...versions].sort(semver.compare)
}

/** The `default` of the `custom_sandbox_image_tag` option in a KOTS Config (replicated/config.yaml); undefined when absent. */
export function tagFromConfig(text: string): string | undefined {
  const groups = field(field(parseYaml(text), 'spec'), 'groups')
  if (!Array.isArray(groups)) return undefined
  for (const group of groups) {
    const items = field(group, 'items')
    if (!Array.isArray(items)) continue
    for (const item of items) {
      if (field(item, 'name') === CONFIG_OPTION) return tagValue(field(item, 'default'))
    }
  }
  return undefined
}

/** `global.agentServerImage.tag` of the openhands chart's values.yaml; undefined when absent. */
export function tagFromValues(text: string): string | undefined {
  return tagValue(field(field(field(parseYaml(text), 'global'), 'agentServerImage'), 'tag'))
}

/** What the files at one OHE release say, config.yaml first (it is what the Admin Console shows), values.yaml next. */
export function tagFromFiles(files: { config?: string; values?: string }): { tag: string; file: string } | undefined {
  const fromConfig = files.config === undefined ? undefined : tagFromConfig(files.config)
  if (fromConfig !== undefined) return { tag: fromConfig, file: CONFIG_FILE }
  const fromValues = files.values === undefined ? undefined : tagFromValues(files.values)
  if (fromValues !== undefined) return { tag: fromValues, file: VALUES_FILE }
  return undefined
}

/** A plain `OHE release: agent-server tag` YAML mapping (the release-map input); an error message for anything else. */
export function parseReleaseMap(text: string, shownAs: string): Map<string, string> | string {
  let document: unknown
  try {
    document = parse(text)
  } catch (thrown) {
    return `release-map ${shownAs} is not YAML (${firstLine(thrown)}). Expected lines such as "0.45.0: 1.41.0-python".`
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    return `release-map ${shownAs} is not a mapping. Expected lines such as "0.45.0: 1.41.0-python" (OHE release: agent-server tag).`
  }
  const map = new Map<string, string>()
  for (const [key, value] of Object.entries(document as Record<string, unknown>)) {
    const release = key.trim().replace(/^v/, '')
    if (!RELEASE.test(release) || !semver.valid(release)) {
      return `release-map ${shownAs}: '${key}' is not an OHE release X.Y.Z. Quote it if YAML read it as a number, e.g. "0.45.0": 1.41.0-python.`
    }
    const tag = tagValue(value)
    if (tag === undefined) return `release-map ${shownAs}: OHE release ${release} has no agent-server tag. Expected e.g. "${release}: 1.41.0-python".`
    map.set(release, tag)
  }
  if (map.size === 0) return `release-map ${shownAs} is empty. Expected lines such as "0.45.0: 1.41.0-python".`
  return map
}

/** Up to `count` releases closest to `wanted` (by version order), oldest first, so a typo shows its neighbours. */
export function nearestReleases(releases: readonly string[], wanted: string, count = 3): string[] {
  const sorted = [...releases].sort(semver.compare)
  if (!semver.valid(wanted)) return sorted.slice(-count)
  const after = sorted.findIndex(release => semver.gt(release, wanted))
  const at = after === -1 ? sorted.length : after
  const start = Math.max(0, Math.min(at - Math.ceil(count / 2), sorted.length - count))
  return sorted.slice(start, start + count)
}

function parseYaml(text: string): unknown {
  try {
    return parse(text)
  } catch {
    // A file that is not YAML names no tag; the caller says that neither file did.
    return undefined
  }
}

function field(value: unknown, name: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined
  return (value as Record<string, unknown>)[name]
}

function tagValue(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined
  const text = String(value).trim()
  return text === '' ? undefined : text
}

function firstLine(thrown: unknown): string {
  return (thrown instanceof Error ? thrown.message : String(thrown)).split('\n')[0] ?? ''
}
