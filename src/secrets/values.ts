// Judging candidate values: placeholders, variable references, randomness, and the redacted forms we report.
import { createHash, pbkdf2Sync } from 'node:crypto'

const PLACEHOLDER_WORDS = [
  'example',
  'sample',
  'dummy',
  'placeholder',
  'changeme',
  'change_me',
  'change-me',
  'replace',
  'redacted',
  'insert',
  'enter_',
  'fixme',
  'foobar',
  'mysecret',
  'mypassword',
  'notreal',
  'not_real',
  'not-real',
  'lorem',
  'abc123',
  '123456',
  'qwerty',
  'password',
  'passwd',
  'secret',
  'token',
  'undefined',
  'test123',
  'testing',
  'invalid'
]

// A random body holds a short word now and then (40 random base62 characters hold one of these, in either case,
// about once in 700 draws), so these count only as a word of their own: `your-token-here`, `sk-xxx`, `null`.
const SHORT_WORD = /(?:^|[^a-z0-9])(?:your|fake|todo|here|xxx|null|none)(?:$|[^a-z0-9])/

const STRICT_WORDS = ['example', 'sample', 'dummy', 'placeholder', 'changeme', 'redacted', 'yourtoken', 'your_', 'your-']

/** `${VAR}`, `$VAR`, `${{ secrets.X }}`, `%VAR%`, `$(cmd)`, `{{ tpl }}`, `#{x}`, `<%= x %>`: the value comes from elsewhere. */
export function isVariableReference(value: string): boolean {
  if (value.length === 0) return false
  if (value.charCodeAt(0) === 36 /* $ */) return true
  if (value.includes('${') || value.includes('$(') || value.includes('{{') || value.includes('#{') || value.includes('<%')) {
    return true
  }
  if (/^%[A-Za-z_][A-Za-z0-9_]{0,100}%$/.test(value)) return true
  if (/^(?:process\.env|os\.environ|env)[.[]/.test(value)) return true
  return false
}

/** Documentation stand-ins: `XXXX…`, `<token>`, `sk-...`, `your-token-here`, `changeme`, one repeated character. */
export function isPlaceholder(value: string, strict = false): boolean {
  if (value.length === 0) return true
  if (isVariableReference(value)) return true
  const first = value.charCodeAt(0)
  let same = true
  for (let i = 1; i < value.length; i++) {
    if (value.charCodeAt(i) !== first) {
      same = false
      break
    }
  }
  if (same) return true
  if (/x{6}|X{6}|\*{3}|\.\.\.|\u2026|#{4}|\?{3}/.test(value)) return true
  // Four x, _ or - in a row: a stand-in in a short value (`sk-xxxx`), chance in a long random one.
  if (value.length <= 24 && /x{4}|X{4}|_{4}|-{4}/.test(value)) return true
  const last = value.charCodeAt(value.length - 1)
  if ((first === 60 && last === 62) || (first === 91 && last === 93) || (first === 123 && last === 125)) return true
  const lower = value.toLowerCase()
  if (strict) {
    // A token's random body meets words by chance: only the long, unmistakable ones count, written as words are.
    for (const word of STRICT_WORDS) if (holdsWord(value, lower, word)) return true
  } else {
    // A value of any shape (`PassWordMustBeAtLeast6Chars.`): any case.
    for (const word of PLACEHOLDER_WORDS) if (lower.includes(word)) return true
    if (SHORT_WORD.test(lower)) return true
  }
  // Six of one character in a row is a stand-in in a short value, and chance in a long one of few symbols (a run of
  // six digits turns up in one Slack token in 3,000).
  const run = longestRun(value)
  return run >= 8 || (run >= 6 && run * 3 >= value.length) || isSequential(value)
}

/**
 * `word` in `value`, written as a word is: lower case, capitals, or capitalised. A long random token spells `DuMMy`
 * now and then (five letters in 150 base64 characters: about one token in 200,000); `dummy`, `DUMMY` or `Dummy` a
 * tenth as often.
 */
function holdsWord(value: string, lower: string, word: string): boolean {
  for (let at = lower.indexOf(word); at !== -1; at = lower.indexOf(word, at + 1)) {
    if (WRITTEN_AS_WORD.test(value.slice(at, at + word.length))) return true
  }
  return false
}

const WRITTEN_AS_WORD = /^(?:[^A-Z]+|[^a-z]+|[A-Z][^A-Z]+)$/

function longestRun(value: string): number {
  let best = 1
  let run = 1
  for (let i = 1; i < value.length; i++) {
    run = value.charCodeAt(i) === value.charCodeAt(i - 1) ? run + 1 : 1
    if (run > best) best = run
  }
  return best
}

/** `abcdef…`, `123456…`: more than half the neighbours are consecutive characters. */
function isSequential(value: string): boolean {
  if (value.length < 8) return false
  let steps = 0
  for (let i = 1; i < value.length; i++) if (value.charCodeAt(i) - value.charCodeAt(i - 1) === 1) steps++
  return steps * 2 > value.length
}

const counts = new Int32Array(256)

/** Shannon entropy in bits per character (characters above 255 share one bucket: values here are ASCII). */
export function shannonEntropy(value: string): number {
  const n = value.length
  if (n === 0) return 0
  counts.fill(0)
  for (let i = 0; i < n; i++) counts[value.charCodeAt(i) & 255]! += 1
  let h = 0
  for (let c = 0; c < 256; c++) {
    const k = counts[c] ?? 0
    if (k > 0) {
      const p = k / n
      h -= p * Math.log2(p)
    }
  }
  return h
}

function charClass(code: number): number {
  if (code >= 48 && code <= 57) return 0
  if (code >= 65 && code <= 90) return 1
  if (code >= 97 && code <= 122) return 2
  return 3
}

/** Share of neighbours whose character class (digit, upper, lower, other) differs: ~0.5-0.65 for random tokens, ~0.1-0.2 for words. */
export function classSwitchRate(value: string): number {
  if (value.length < 2) return 0
  let switches = 0
  let prev = charClass(value.charCodeAt(0))
  for (let i = 1; i < value.length; i++) {
    const c = charClass(value.charCodeAt(i))
    if (c !== prev) switches++
    prev = c
  }
  return switches / (value.length - 1)
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/
const GIT_SHA = /^[0-9a-f]{40}$/
const SRI = /^(?:sha1|sha256|sha384|sha512|md5)-/
const IDENTIFIER_PATH = /^[A-Za-z_$][\w$]{0,100}(?:\.[A-Za-z_$][\w$]{0,100}){1,20}$/
/** `StreamDescription.Shards[-1].ShardId`, `$.items[0].id`: a path into a document. */
const JSON_PATH = /^[A-Za-z_$][\w$]{0,100}(?:\.[A-Za-z_$][\w$]{0,100}|\[-?[0-9]{1,6}\]){1,20}$/
const JWT = /^eyJ[A-Za-z0-9_-]{10,2000}\.eyJ[A-Za-z0-9_-]{10,4000}\.[A-Za-z0-9_-]{0,1000}$/

/**
 * Keys their providers publish on purpose: Mapbox public tokens (`pk.eyJ…`, meant for browsers,
 * https://docs.mapbox.com/accounts/guides/tokens/) and Stripe publishable keys (`pk_live_…`,
 * https://docs.stripe.com/keys). Under a key named `accessToken` they are still no secret.
 */
export function isPublicByDesign(value: string): boolean {
  return /^pk\.eyJ[A-Za-z0-9_-]{10,400}\.[A-Za-z0-9_-]{10,40}$/.test(value) || /^pk_(?:live|test)_[A-Za-z0-9]{10,120}$/.test(value)
}

export function isUuid(value: string): boolean {
  return UUID.test(value)
}

/**
 * A value assigned to a secret-named key that looks machine-generated: long enough, no spaces, not a reference,
 * placeholder, path, URL, UUID, git SHA, integrity hash, identifier chain or word salad, and random by two measures
 * (entropy and how often the character class changes). Thresholds were tuned on clean npm trees (zero findings).
 */
export function looksRandomSecret(value: string): boolean {
  if (value.length < 16 || value.length > 512) return false
  if (JWT.test(value)) return true
  if (/[\s"'`<>\\]/.test(value)) return false
  if (isPlaceholder(value)) return false
  if (value.includes('://') || value.startsWith('data:')) return false
  if (/^(?:\.{0,2}\/|~\/|[A-Za-z]:\\)/.test(value)) return false
  if (UUID.test(value) || GIT_SHA.test(value) || SRI.test(value)) return false
  if (IDENTIFIER_PATH.test(value) || JSON_PATH.test(value)) return false
  if (!/[A-Za-z]/.test(value) || (!/[0-9]/.test(value) && !isRandomCase(value))) return false
  // Short hex runs are ids, short SHAs and fingerprints (this scanner's own among them); hex keys are 32+ long.
  if (value.length < 32 && /^[0-9a-f]+$/i.test(value)) return false
  // Words with separators (`super_secret_key_2024`, `my-app.settings`) are names, not secrets.
  if (/^[a-z]{2,30}(?:[._-][a-z0-9]{1,30}){1,10}$/i.test(value) && classSwitchRate(value) < 0.3) return false
  const h = shannonEntropy(value)
  if (h < 3.4) return false
  if (classSwitchRate(value) < 0.28) return false
  return true
}

/**
 * The least entropy a random hex string of `length` digits shows, but about once in ten million draws. Its entropy
 * is about 4 - X/(2n ln 2) bits, X a chi-square of 15 degrees of freedom, which exceeds 61 that rarely: 4 - 44/n.
 * A fixed bar misses real keys: at 3.2, one 32-digit key in 200. Sampled minima over a million draws lie above it
 * (2.04 at 20 digits, 2.74 at 32, 3.35 at 64); `deadbeef` repeated (2.16) stays under it from 24 digits on.
 */
export function hexEntropyFloor(length: number): number {
  return 4 - 44 / length
}

/** A hex body (a key, a token's random part) that is no stand-in: no placeholder, and as varied as chance allows. */
export function isRandomHex(value: string): boolean {
  return !isPlaceholder(value, true) && shannonEntropy(value) >= hexEntropyFloor(value.length)
}

/**
 * A random token has no digit at all about once in 900 draws (40 base62 characters); then its letters' case, random,
 * tells it from names: about half capitals, and the case changes between about half the neighbouring letters. CamelCase
 * (`NonExpressionParenEnd`) is a fifth capitals; `typing.Optional[PRIVATE_KEY_TYPES]` changes case three times.
 */
function isRandomCase(value: string): boolean {
  const letters = value.replace(/[^A-Za-z]/g, '')
  let capitals = 0
  let changes = 0
  for (let i = 0; i < letters.length; i++) {
    const upper = letters.charCodeAt(i) < 97
    if (upper) capitals++
    if (i > 0 && upper !== letters.charCodeAt(i - 1) < 97) changes++
  }
  const share = capitals / letters.length
  return share >= 0.3 && share <= 0.7 && changes >= 0.3 * (letters.length - 1)
}

/** Hex keys of 20+ characters, UUID-shaped API keys, 40-hex keys: credentials under an unmistakable key name. */
export function isKeyShaped(value: string): boolean {
  if (isUuid(value)) return !/^0{8}-|^(.)\1{7}-/.test(value) && isRandomHex(value.replace(/-/g, ''))
  if (/^[0-9a-fA-F]{20,128}$/.test(value)) return isRandomHex(value)
  return false
}

/** First four characters and the length; short values show fewer so that the hint never gives most of them away. */
export function redactHint(value: string): string {
  const shown = value.length >= 16 ? 4 : Math.floor(value.length / 4)
  return `${value.slice(0, shown)}\u2026 (${value.length} chars)`
}

/** Hashes already made in this run, keyed by a fast hash (the map never holds a value): one slow hash per value. */
// A memo of a pure function (the same value and rule always give the same digest), so no caller can see its state
// and none needs to reset it: it only spares the slow hash for a value found again.
const hashes = new Map<string, string>()

/**
 * Stable across line moves: path, rule and a hash of the value (never the value). The hash is deliberately slow
 * (PBKDF2, 10,000 rounds): fingerprints go to summaries, SARIF and pull-request comments beside a hint of the value,
 * and a fast hash would let anyone confirm a guessed weak password offline at billions of tries a second.
 */
export function fingerprintOf(file: string, rule: string, value: string): string {
  const key = createHash('sha256').update(`${rule}\0${value}`).digest('base64')
  let digest = hashes.get(key)
  if (digest === undefined) {
    digest = pbkdf2Sync(value, `sandbox-scan\0${rule}`, 10_000, 8, 'sha256').toString('hex')
    hashes.set(key, digest)
  }
  return `${file}:${rule}:${digest}`
}
