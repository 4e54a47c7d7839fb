import semver from 'semver'

/** The agent-server variants as published (software-agent-sdk server.yml); any other suffix marks a pre-release. */
export const VARIANTS = ['python', 'java', 'golang', 'python-slim', 'python-minimal'] as const

/** A variant name as it may appear in a tag: lowercase words joined by hyphens (python, python-slim). */
export const VARIANT_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/

/** `ohe-release` as the user wrote it: an OHE release version (0.45.0) or the newest one in the release map. */
export type OheReleaseInput = { kind: 'release'; version: string } | { kind: 'latest' }

/** An agent-server tag `X.Y.Z[-<variant>]` split in two; undefined for any other form. */
export interface AgentServerTag {
  version: string
  /** Undefined when the tag has no suffix (a bare version). */
  variant?: string
}

const VERSION_WITH_SUFFIX = /^v?(\d+\.\d+\.\d+)(?:-(.+))?$/

/**
 * OHE releases are numbered 0.x (the Replicated release, e.g. 0.45.0); agent-server releases 1.x and up. That is the
 * only way to tell them apart from the text alone, and what lets a value in the wrong input get a pointed error.
 */
function looksLikeAgentServer(version: string): boolean {
  return semver.major(version) >= 1
}

/** `1.41.0-python` → { version: '1.41.0', variant: 'python' }; `1.41.0` → { version: '1.41.0' }; no `v` prefix. */
export function splitAgentServerTag(tag: string): AgentServerTag | undefined {
  const match = /^(\d+\.\d+\.\d+)(?:-(.+))?$/.exec(tag.trim())
  const version = match?.[1]
  if (!match || !version || !semver.valid(version)) return undefined
  return match[2] === undefined ? { version } : { version, variant: match[2] }
}

/** Accepts `0.45.0`, `v0.45.0` and `latest`; a value that is an agent-server version points to agent-server-version. */
export function parseOheRelease(text: string): OheReleaseInput | string {
  const value = text.trim()
  if (value === 'latest') return { kind: 'latest' }
  const match = VERSION_WITH_SUFFIX.exec(value)
  const version = match?.[1]
  if (!match || !version || !semver.valid(version)) {
    return `ohe-release '${value}' is not an OHE release. Expected X.Y.Z as the Admin Console shows it (e.g. 0.45.0), vX.Y.Z or latest.`
  }
  const suffix = match[2]
  if (suffix !== undefined || looksLikeAgentServer(version)) {
    return (
      `ohe-release '${value}' is an agent-server ${suffix === undefined ? 'version' : 'tag'}, not an OHE release (OHE releases are 0.x, e.g. 0.45.0): ` +
      `set agent-server-version: ${value} instead, or set ohe-release to the OHE release you run.`
    )
  }
  return { kind: 'release', version }
}

/**
 * Accepts `1.41.0`, `v1.41.0` and `1.41.0-<variant>` (copied from a tag or the Admin Console's default tag) and gives
 * the version; a value that is an OHE release points to ohe-release.
 */
export function parseAgentServerVersion(text: string, variant: string): string | { problem: string } {
  const value = text.trim()
  if (value === 'latest') {
    return {
      problem: "agent-server-version 'latest' is not a version: set ohe-release: latest for the agent-server of the newest OHE release, or a version X.Y.Z."
    }
  }
  const match = VERSION_WITH_SUFFIX.exec(value)
  const version = match?.[1]
  if (!match || !version || !semver.valid(version)) {
    return { problem: `agent-server-version '${value}' is not a version. Expected X.Y.Z (e.g. 1.41.0), vX.Y.Z or X.Y.Z-${variant}.` }
  }
  const suffix = match[2]
  if (suffix === undefined && !looksLikeAgentServer(version)) {
    return {
      problem: `agent-server-version '${value}' is an OHE release, not an agent-server version (agent-server versions are 1.x, e.g. 1.41.0): set ohe-release: ${value} instead.`
    }
  }
  if (suffix !== undefined && suffix !== variant) {
    if (!(VARIANTS as readonly string[]).includes(suffix)) {
      return { problem: `agent-server-version '${value}' is a pre-release; OHE releases ship stable agent-server versions such as ${version}.` }
    }
    return {
      problem: `agent-server-version '${value}' names the '${suffix}' variant but variant is '${variant}'. Use ${version} or ${version}-${variant}, or set variant: ${suffix}.`
    }
  }
  return version
}
