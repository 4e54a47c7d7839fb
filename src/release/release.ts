import semver from 'semver'

/** The agent-server's variants; any other suffix (rc.1, beta) marks a pre-release. */
const KNOWN_VARIANTS = new Set(['python', 'java', 'golang'])

/** `ohe-release` as the user wrote it, reduced to what the checks need. */
export type ReleaseInput = { kind: 'version'; version: string } | { kind: 'latest' }

/**
 * Accepts `1.23.0`, `v1.23.0` and `1.23.0-<variant>`: an OHE release is named by the agent-server version it ships,
 * and people copy it from a tag, a release page or the Admin Console's default tag.
 */
export function parseRelease(text: string, variant: string): ReleaseInput | string {
  const value = text.trim()
  if (value === 'latest') return { kind: 'latest' }
  const match = /^v?(\d+\.\d+\.\d+)(?:-(.+))?$/.exec(value)
  const version = match?.[1]
  if (!match || !version || !semver.valid(version)) {
    return `ohe-release '${value}' is not a release version. Expected X.Y.Z (e.g. 1.23.0), vX.Y.Z, X.Y.Z-${variant} or latest.`
  }
  const suffix = match[2]
  if (suffix !== undefined && suffix !== variant) {
    if (!KNOWN_VARIANTS.has(suffix)) {
      return `ohe-release '${value}' is a pre-release; OHE releases ship stable agent-server versions such as ${version}.`
    }
    return `ohe-release '${value}' names the '${suffix}' variant but variant is '${variant}'. Use ${version} or ${version}-${variant}, or set variant: ${suffix}.`
  }
  return { kind: 'version', version }
}
