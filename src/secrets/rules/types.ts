// What a provider family file declares: its rules (id, description, rank), how they are detected (token specs
// applied at literal anchors, handlers for shapes a RegExp cannot judge alone, values under provider-named keys),
// and the cases that prove each rule: values generated in the documented format (found) and look-alikes (quiet).
// One file per provider family under rules/; rules/index.ts lists them.

export type RuleId = string

/** Every check reads at most LOOKBACK bytes before its anchor and LOOKAHEAD after it. */
export const LOOKBACK = 4096
export const LOOKAHEAD = 32768

/** Index of the last `byte` in buf[min..from], or -1. */
export function lastIndexOfByte(buf: Buffer, byte: number, from: number, min: number): number {
  for (let i = from; i >= min; i--) if (buf[i] === byte) return i
  return -1
}

/** buf[at] is the letter of a `\n`, `\r` or `\t` escape: in a JSON string holding a file's lines, a line break. */
export function isEscapedBreak(buf: Buffer, at: number): boolean {
  const b = buf[at]
  return at > 0 && buf[at - 1] === 92 && (b === 110 || b === 114 || b === 116)
}

export interface RuleMeta {
  id: RuleId
  description: string
  /** Which of two findings on the same bytes is kept: the lower rank (more specific). Default 0. */
  rank?: number
}

/** What a handler sees; the engine owns the buffer and the bounds. */
export interface DetectContext {
  buf: Buffer
  /** Valid bytes are buf[0..end). */
  end: number
  /** Generic key = value findings need a quoted literal (source code, where a bare word is an expression). */
  codeFile: boolean
  /** A .env file: secret-named keys with any literal value are findings. */
  dotenv: boolean
  /** Start of the last key looked at, so that `secret_token` is judged once, not once per keyword. */
  lastKeyStart: number
  /** Changes whenever the buffer's contents move (each chunk of each file): positions of older reads are stale. */
  generation: number
  emit(rule: RuleId, start: number, end: number, value: string): void
}

export type Handler = (ctx: DetectContext, pos: number) => void

/** A token with a fixed prefix: the RegExp is applied (sticky) at each anchor occurrence. */
export interface TokenSpec {
  anchors: string[]
  /** For anchors shorter than 4 bytes: the bytes allowed right before them. */
  before?: string
  caseInsensitive?: boolean
  /** Sticky, bounded repetition only (linear time; checked by the tests). */
  re: RegExp
  maxLength: number
  rule: RuleId | ((match: string) => RuleId)
  /** Bytes that must not precede / follow the token. */
  lead: Uint8Array
  tail: Uint8Array
  /** Which capture group holds the secret (0 = whole match). */
  group?: number
  validate?: (value: string) => boolean
  /**
   * A test of a few bytes at the anchor, run before any text is copied: for short anchors that are common in text
   * (`pat` in `pattern`), so that most occurrences cost a byte comparison.
   */
  quick?: (buf: Buffer, pos: number, end: number) => boolean
}

/** A handler at a literal anchor, for shapes that need more than one RegExp (PEM bodies, URLs, base64 JWTs). */
export interface AnchorHandler {
  text: string
  before?: string
  caseInsensitive?: boolean
  handler: Handler
  /** The RegExps the handler applies to scanned text, for the linear-time check. */
  patterns?: RegExp[]
}

/**
 * A value whose shape alone is not distinctive (a UUID, 32 or 40 hex characters) but which is a credential under a
 * key that names the provider: `HEROKU_API_KEY`, `SONAR_TOKEN`. `key` is tested on the key lower-cased with
 * everything but letters and digits removed.
 */
export interface KeyedSpec {
  key: RegExp
  value: RegExp
  rule: RuleId
  validate?: (value: string) => boolean
}

/** A seeded or crypto random source: the same interface for tests (crypto) and the evaluation corpus (seeded). */
export interface Rand {
  /** An integer in [0, n). */
  int(n: number): number
}

export interface RuleCase {
  rule: RuleId
  /** A fresh value in the provider's documented format (valid checksum where the format has one). */
  make(r: Rand): string
  /** The key it is usually assigned to (the evaluation corpus writes `KEY = value` in each syntax). */
  key?: string
  /** A file that holds it, when the rule depends on the file (default: `value: <secret>` in `a.txt`). */
  file?: string
  content?: (value: string) => string
  /** 1-based line of the finding within `content` (default 1). */
  line?: number
  /** What must never appear in any output (default: the value itself). */
  raw?: (value: string) => string
  /** Look-alikes that must stay quiet: placeholders, wrong checksums, documented examples (file contents). */
  negatives: string[]
  /** The value only counts under a key naming the provider: the corpus never writes it bare. */
  keyed?: boolean
}

export interface Family {
  /** Provider family, e.g. `GitLab`. */
  name: string
  /** Where the format is documented (the provider's own documentation). */
  source: string
  /** Where the provider lets its owner revoke or rotate the credential: shown with each finding. */
  revoke?: string
  rules: RuleMeta[]
  tokens?: TokenSpec[]
  /**
   * Token shapes whose fixed prefix is too short and common for the prefilter (Airtable's `pat`, whose letter pair
   * `at` is in every other English word): no anchor of their own; a value the key/value reader finds is reported
   * under their rule when it matches one whole.
   */
  named?: TokenSpec[]
  anchors?: AnchorHandler[]
  keyed?: KeyedSpec[]
  /**
   * Extra key words (4+ bytes) at which the key/value reader runs, e.g. `twilio`: case-insensitive, except a word
   * written in capitals (`BUNDLE_`), which matches only so. Only for keys that hold none of the reader's own words.
   */
  keywords?: string[]
  cases: RuleCase[]
}

// ---------------------------------------------------------------------------------------------------------------
// Byte classes and alphabets shared by the families

export function byteSet(chars: string): Uint8Array {
  const t = new Uint8Array(256)
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1
  return t
}

export const DIGITS = '0123456789'
export const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
export const LOWER = 'abcdefghijklmnopqrstuvwxyz'
export const ALNUM_CHARS = DIGITS + UPPER + LOWER
export const HEX_CHARS = '0123456789abcdef'
export const BASE32_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
export const BASE64_CHARS = `${ALNUM_CHARS}+/`
export const TOKEN_CHARS = `${ALNUM_CHARS}_-`

export const NONE = byteSet('')
export const ALNUM = byteSet(ALNUM_CHARS)
export const WORD = byteSet(`${ALNUM_CHARS}_`)
export const TOKEN = byteSet(TOKEN_CHARS)
export const BASE64 = byteSet(`${ALNUM_CHARS}+/=`)
/** Bytes that may precede a token: anything but token characters. */
export const NOT_TOKEN = (() => {
  let s = ''
  for (let b = 0; b < 256; b++) if (TOKEN[b] === 0) s += String.fromCharCode(b)
  return s
})()

/**
 * The printable bytes and whitespace that usually precede a token (quotes, `=`, `:`, brackets, blanks). A short
 * anchor given these as `before` costs the prefilter far less than one given every non-token byte.
 */
export const BEFORE_TOKEN = ' \t\r\n"\'`=:;,([{<>|/\\!?&*+#~@$%^'

/**
 * For 3-byte anchors that occur in base64, paths and source maps (`EAA`, `pat`, `sl.`): blanks, quotes, `=`, `:`
 * and brackets only. Not `/` or `+` (every base64 blob and path), nor `,` and `;` (source map mappings).
 */
export const BEFORE_VALUE = ' \t\r\n"\'`=:([{<>|'

/** How many bytes from `from` (up to `to`) are in `set`. */
export function runOf(set: Uint8Array, buf: Buffer, from: number, to: number): number {
  let i = from
  while (i < to && set[buf[i]!] === 1) i++
  return i - from
}

/** `n` characters drawn from `alphabet`. */
export function draw(r: Rand, n: number, alphabet = ALNUM_CHARS): string {
  let out = ''
  for (let i = 0; i < n; i++) out += alphabet[r.int(alphabet.length)]
  return out
}
