// Helpers the family files share: a token spec from a prefix and a body pattern, and the usual validators.
import { hexEntropyFloor, isKeyShaped, isPlaceholder, looksRandomSecret, shannonEntropy } from '../values.js'
import { HEX_CHARS, WORD, draw, type Rand, type RuleId, type TokenSpec } from './types.js'

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A version-4 UUID. */
export const uuidOf = (r: Rand): string =>
  `${draw(r, 8, HEX_CHARS)}-${draw(r, 4, HEX_CHARS)}-4${draw(r, 3, HEX_CHARS)}-a${draw(r, 3, HEX_CHARS)}-${draw(r, 12, HEX_CHARS)}`

/** Under a key that names the provider, any machine-made value: random-looking, or hex / UUID key-shaped. */
export const keyLike = (value: string): boolean => looksRandomSecret(value) || isKeyShaped(value)

/**
 * The body after `prefixLength` characters is no placeholder and has at least `minEntropy` bits per character; a hex
 * body, whose entropy is capped at 4, at least what chance gives a random one of its length.
 */
export const randomAfter =
  (prefixLength: number, minEntropy = 3) =>
  (token: string): boolean => {
    const body = token.slice(prefixLength)
    const floor = HEX_BODY.test(body) ? Math.min(minEntropy, hexEntropyFloor(body.length)) : minEntropy
    return !isPlaceholder(body, true) && shannonEntropy(body) >= floor
  }

const HEX_BODY = /^[0-9a-f]+$/i

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
  quick?: TokenSpec['quick']
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
    validate: p.validate ?? randomAfter(p.prefix ?? p.anchors[0]?.length ?? 0, p.minEntropy ?? 3),
    quick: p.quick
  }
}
