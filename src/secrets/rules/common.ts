// Helpers the family files share: a token spec from a prefix and a body pattern, and the usual validators.
import { isPlaceholder, shannonEntropy } from '../values.js'
import { WORD, type RuleId, type TokenSpec } from './types.js'

/** The body after `prefixLength` characters is no placeholder and has at least `minEntropy` bits per character. */
export const randomAfter =
  (prefixLength: number, minEntropy = 3) =>
  (token: string): boolean => {
    const body = token.slice(prefixLength)
    return !isPlaceholder(body, true) && shannonEntropy(body) >= minEntropy
  }

interface Prefixed {
  rule: RuleId | ((match: string) => RuleId)
  anchors: string[]
  re: RegExp
  maxLength: number
  /** Characters of fixed prefix before the random body (for the default validator). */
  prefix?: number
  lead?: Uint8Array
  tail?: Uint8Array
  before?: string
  group?: number
  minEntropy?: number
  validate?: (value: string) => boolean
}

export function prefixed(p: Prefixed): TokenSpec {
  return {
    anchors: p.anchors,
    before: p.before,
    re: p.re,
    maxLength: p.maxLength,
    rule: p.rule,
    lead: p.lead ?? WORD,
    tail: p.tail ?? WORD,
    group: p.group,
    validate: p.validate ?? randomAfter(p.prefix ?? p.anchors[0]?.length ?? 0, p.minEntropy ?? 3)
  }
}
