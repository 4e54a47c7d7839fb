// The anchor table: every family's token specs, handlers and keyed values become anchors for the prefilter,
// each with the handler that runs where the anchor occurs. Every check reads a bounded window around its anchor
// (at most LOOKBACK bytes before and LOOKAHEAD after), and every RegExp uses only bounded repetition, so the work
// per anchor is bounded and the whole scan stays linear in the input.

import { KEYWORDS, keyValueHandler, type ValueNamer } from './keyvalue.js'
import type { AnchorSpec } from './prefilter.js'
import { FAMILIES } from './rules/index.js'
import { isEscapedBreak, type Handler, type RuleId, type TokenSpec } from './rules/types.js'

export { LOOKAHEAD, LOOKBACK, lastIndexOfByte, type DetectContext } from './rules/types.js'

/** Recent spans per spec: an anchor inside a span the same spec already read (matched or rejected) is skipped. */
const MEMO = 8

function tokenHandler(spec: TokenSpec): Handler {
  // The prefilter reports anchors from four interleaved lanes, so a few spans are remembered, not one. A token
  // whose body repeats its own anchor (`ops_eyJ…ops_eyJ…`) is then read once, not once per occurrence.
  const starts = new Int32Array(MEMO).fill(-1)
  const ends = new Int32Array(MEMO).fill(-1)
  const generations = new Float64Array(MEMO).fill(-1)
  let slot = 0
  return (ctx, pos) => {
    const { buf, end } = ctx
    for (let k = 0; k < MEMO; k++) {
      if (generations[k] === ctx.generation && pos > starts[k]! && pos < ends[k]!) return
    }
    if (pos > 0 && spec.lead[buf[pos - 1]!] === 1 && !isEscapedBreak(buf, pos - 1)) return
    if (spec.quick !== undefined && !spec.quick(buf, pos, end)) return
    const text = buf.toString('latin1', pos, Math.min(end, pos + spec.maxLength + 1))
    spec.re.lastIndex = 0
    const m = spec.re.exec(text)
    if (m === null) return
    const length = m[0].length
    starts[slot] = pos
    ends[slot] = pos + length
    generations[slot] = ctx.generation
    slot = (slot + 1) % MEMO
    if (pos + length < end && spec.tail[buf[pos + length]!] === 1) return
    const value = m[spec.group ?? 0] ?? m[0]
    if (spec.validate !== undefined && !spec.validate(value)) return
    const rule = typeof spec.rule === 'function' ? spec.rule(m[0]) : spec.rule
    ctx.emit(rule, pos + length - value.length, pos + length, value)
  }
}

/**
 * The provider rule a value found by the key/value reader names: by the prefix of an anchored token (`ghp_…` whose
 * checksum fails is still reported under GitHub's name and revoke page, not as generic), or by a whole match of a
 * shape that has no anchor of its own (Family.named).
 */
function valueNamer(tokens: readonly TokenSpec[], named: readonly TokenSpec[]): ValueNamer {
  const prefixes: Array<[string, TokenSpec]> = []
  for (const spec of tokens) for (const a of spec.anchors) if (a.length >= 4 && spec.caseInsensitive !== true) prefixes.push([a, spec])
  const ruleOf = (spec: TokenSpec, value: string): RuleId => (typeof spec.rule === 'function' ? spec.rule(value) : spec.rule)
  return {
    byPrefix(value) {
      for (const [prefix, spec] of prefixes) if (value.startsWith(prefix)) return ruleOf(spec, value)
      return undefined
    },
    byShape(value) {
      for (const spec of named) {
        if (!spec.anchors.some(a => value.startsWith(a))) continue
        spec.re.lastIndex = 0
        const m = spec.re.exec(value)
        if (m !== null && m[0].length === value.length && (spec.validate === undefined || spec.validate(value))) return ruleOf(spec, value)
      }
      return undefined
    }
  }
}

function buildAnchors(): { anchors: AnchorSpec[]; handlers: Handler[]; patterns: RegExp[] } {
  const anchors: AnchorSpec[] = []
  const handlers: Handler[] = []
  const patterns: RegExp[] = []
  const add = (spec: Omit<AnchorSpec, 'id'>, handler: Handler): void => {
    anchors.push({ ...spec, id: handlers.length })
    handlers.push(handler)
  }
  const keyed = FAMILIES.flatMap(family => family.keyed ?? [])
  const named = FAMILIES.flatMap(family => family.named ?? [])
  const nameOf = valueNamer(
    FAMILIES.flatMap(family => family.tokens ?? []),
    named
  )
  patterns.push(...named.map(spec => spec.re))
  const keywords = new Set(KEYWORDS)
  for (const family of FAMILIES) {
    for (const spec of family.tokens ?? []) {
      const handler = tokenHandler(spec)
      patterns.push(spec.re)
      for (const text of spec.anchors) add({ text, before: spec.before, caseInsensitive: spec.caseInsensitive }, handler)
    }
    for (const a of family.anchors ?? []) {
      add({ text: a.text, before: a.before, caseInsensitive: a.caseInsensitive }, a.handler)
      patterns.push(...(a.patterns ?? []))
    }
    for (const word of family.keywords ?? []) keywords.add(word)
  }
  for (const word of keywords) {
    const text = word.endsWith('=') ? word.slice(0, -1) : word
    // A keyword written in capitals (`BUNDLE_`) matches only in capitals: fewer anchors in prose.
    add({ text: word, caseInsensitive: word !== word.toUpperCase() }, keyValueHandler(text.length, keyed, nameOf))
  }
  return { anchors, handlers, patterns }
}

const built = buildAnchors()
export const ANCHORS: readonly AnchorSpec[] = built.anchors
export const HANDLERS: readonly Handler[] = built.handlers
/** Every RegExp a rule applies to scanned text, for the linear-time check in the tests. */
export const RULE_PATTERNS: readonly RegExp[] = built.patterns
