/**
 * Judges an agent-server tag against the target agent-server version (what the OHE release ships). Tag forms (software-agent-sdk server.yml):
 * `X.Y.Z-<variant>` releases; `X-<variant>` and `X.Y-<variant>` floating aliases; `latest-<variant>` from main;
 * `<sha7|sha40>-<variant>` and `<branch>-<variant>` builds. There is no bare `latest` and no `v` prefix.
 */

import { parseVersion, type MatchMode, type Version } from '../grammar.js'
import { VARIANTS } from '../release/target-inputs.js'

export interface TagRules {
  variant: string
  release: Version
  match: MatchMode
}

export type TagVerdict =
  | { ok: true; version?: string }
  /** `problem` is a sentence naming what was found and what was expected. */
  | { ok: false; problem: string; version?: string }

/** `shown` is the FROM image text, used when the problem is the reference rather than its tag. */
export function judgeTag(tag: string | undefined, digest: string | undefined, shown: string, rules: TagRules): TagVerdict {
  const { variant, release, match } = rules
  const line = `${release.major}.${release.minor}`
  if (tag === undefined) {
    return {
      ok: false,
      problem:
        digest === undefined
          ? `Base image ${shown} has no tag, so Docker would pull :latest, which agent-server does not publish and which would not pin agent-server ${release.text}`
          : `Base image ${shown} is pinned by digest only, so its version cannot be checked against agent-server ${release.text}`
    }
  }
  if (tag === 'latest') {
    return {
      ok: false,
      problem: `Base image tag latest is not published for agent-server (only latest-<variant>) and would not pin agent-server ${release.text}`
    }
  }
  const suffix = `-${variant}`
  if (!tag.endsWith(suffix) || tag.length === suffix.length) {
    // The longest known suffix: 1.41.0-python-slim is python-slim, not slim.
    const other = [...VARIANTS].sort((a, b) => b.length - a.length).find(known => known !== variant && tag.endsWith(`-${known}`))
    return {
      ok: false,
      problem: other
        ? `Base image tag ${tag} is the ${other} variant, not ${variant}`
        : `Base image tag ${tag} is not a ${variant} tag (agent-server tags end in -<variant>, here -${variant})`
    }
  }
  const head = tag.slice(0, -suffix.length)
  if (head === 'latest') return { ok: false, problem: `Base image tag ${tag} follows the main branch, not agent-server ${release.text}` }
  if (/^[vV]\d/.test(head)) return { ok: false, problem: `Base image tag ${tag} has a v prefix, which agent-server tags never have` }
  const version = parseVersion(head)
  if (version) {
    if (match === 'exact' && version.text !== release.text) {
      return { ok: false, problem: `Base image tag ${tag} does not match agent-server ${release.text}`, version: head }
    }
    if (match === 'minor' && (version.major !== release.major || version.minor !== release.minor)) {
      return { ok: false, problem: `Base image tag ${tag} is not in the ${line} line of agent-server ${release.text} (match: minor)`, version: head }
    }
    return { ok: true, version: head }
  }
  if (/^\d+\.\d+\.\d+-/.test(head)) return { ok: false, problem: `Base image tag ${tag} is a pre-release, not agent-server ${release.text}` }
  if (/^(?:[0-9a-f]{7}|[0-9a-f]{40})$/.test(head)) {
    return { ok: false, problem: `Base image tag ${tag} is a build of commit ${head}, not agent-server ${release.text}` }
  }
  const minorAlias = /^(\d+)\.(\d+)$/.exec(head)
  if (minorAlias) {
    const sameLine = Number(minorAlias[1]) === release.major && Number(minorAlias[2]) === release.minor
    if (match === 'minor' && sameLine) return { ok: true }
    if (match === 'minor') {
      return { ok: false, problem: `Base image tag ${tag} is not in the ${line} line of agent-server ${release.text} (match: minor)` }
    }
    return { ok: false, problem: `Base image tag ${tag} is a floating alias that moves with every ${head}.x release; pin agent-server ${release.text}` }
  }
  if (/^\d+$/.test(head)) {
    return { ok: false, problem: `Base image tag ${tag} is a floating alias that moves with every ${head}.x release; pin agent-server ${release.text}` }
  }
  return { ok: false, problem: `Base image tag ${tag} is a build of branch ${head}, not agent-server ${release.text}` }
}
