import { GlobSyntaxError, replacePattern, trimPrefix, trimSuffix } from './glob.js'
import { isSpace } from './text.js'

/**
 * BuildKit's shell-word processing (frontend/dockerfile/shell/lex.go): quotes, the escape character and
 * $VAR / ${VAR} / ${VAR:-word} / ${VAR:+word} / ${VAR?msg} / ${VAR#p} / ${VAR%p} / ${VAR/p/r} expansion.
 * Used for global ARG defaults, FROM image names and heredoc delimiters.
 */

export class ShellSyntaxError extends Error {}

export interface LexOptions {
  /** The Dockerfile's escape character, `\` or `` ` ``. */
  escape: string
  /** Keep quote characters in the result (heredoc detection). */
  rawQuotes?: boolean
  /** Keep escape characters in the result (heredoc detection). */
  rawEscapes?: boolean
  /** Leave references to unset variables as written instead of expanding them to nothing. */
  skipUnsetEnv?: boolean
  /** Split the result into words too (only heredoc detection needs them). */
  words?: boolean
}

export interface Expansion {
  result: string
  /** With `words: true`, the result split into words after expansion, quotes keeping a word together; else empty. */
  words: string[]
  /** Every variable looked up, in first-use order. */
  used: string[]
  /** Variables that were unset where their own value was used ($VAR, ${VAR}), so they became nothing. */
  unset: string[]
}

const EOF = ''

export function processWord(text: string, env: ReadonlyMap<string, string>, options: LexOptions): Expansion {
  const lexer = new Lexer(text, env, options)
  const { result, words } = lexer.processStopOn(undefined, options.rawEscapes ?? false)
  return { result, words, used: [...lexer.used], unset: [...lexer.unset] }
}

/** Word splitting after expansion; a no-op unless asked for, since only heredoc detection reads words. */
class Words {
  readonly words: string[] = []
  private buffer: string[] = []
  private length = 0
  private inWord = false

  constructor(private readonly enabled: boolean) {}

  addChar(ch: string): void {
    if (isSpace(ch)) {
      if (this.inWord && this.length !== 0) this.flush()
    } else this.addRaw(ch)
  }

  addRaw(text: string): void {
    if (!this.enabled) return
    this.buffer.push(text)
    this.length += text.length
    this.inWord = true
  }

  addString(text: string): void {
    if (!this.enabled) return
    for (const ch of text) this.addChar(ch)
  }

  finish(): string[] {
    if (this.length > 0) this.flush()
    return this.words
  }

  private flush(): void {
    this.words.push(this.buffer.join(''))
    this.buffer = []
    this.length = 0
    this.inWord = false
  }
}

class Lexer {
  private pos = 0
  private rawEscapes: boolean
  readonly used = new Set<string>()
  readonly unset = new Set<string>()

  constructor(
    private readonly text: string,
    private readonly env: ReadonlyMap<string, string>,
    private readonly options: LexOptions
  ) {
    this.rawEscapes = options.rawEscapes ?? false
  }

  private peek(): string {
    return this.pos < this.text.length ? this.text.charAt(this.pos) : EOF
  }

  private next(): string {
    const ch = this.peek()
    if (ch !== EOF) this.pos++
    return ch
  }

  processStopOn(stop: string | undefined, rawEscapes: boolean): { result: string; words: string[] } {
    const saved = this.rawEscapes
    this.rawEscapes = rawEscapes
    try {
      const result: string[] = []
      const words = new Words(this.options.words ?? false)
      while (this.peek() !== EOF) {
        const ch = this.peek()
        if (stop !== undefined && ch === stop) {
          this.next()
          return { result: result.join(''), words: words.finish() }
        }
        if (ch === '$') {
          const value = this.processDollar()
          result.push(value)
          words.addString(value)
        } else if (ch === "'" || ch === '"') {
          const value = ch === "'" ? this.processSingleQuote() : this.processDoubleQuote()
          result.push(value)
          words.addRaw(value)
        } else if (ch !== this.options.escape) {
          // A run of ordinary characters is copied at once, so long words cost one slice.
          const end = this.ordinaryRunEnd(stop)
          const run = this.text.slice(this.pos, end)
          this.pos = end
          result.push(run)
          words.addString(run)
        } else {
          // The escape character escapes the next one, except at the end.
          const escape = this.next()
          if (this.rawEscapes) {
            words.addRaw(escape)
            result.push(escape)
          }
          const escaped = this.next()
          if (escaped === EOF) break
          words.addRaw(escaped)
          result.push(escaped)
        }
      }
      if (stop !== undefined) throw new ShellSyntaxError(`unexpected end of statement while looking for matching ${stop}`)
      return { result: result.join(''), words: words.finish() }
    } finally {
      this.rawEscapes = saved
    }
  }

  private ordinaryRunEnd(stop: string | undefined): number {
    let end = this.pos
    while (end < this.text.length) {
      const ch = this.text.charAt(end)
      if (ch === '$' || ch === "'" || ch === '"' || ch === this.options.escape || ch === stop) break
      end++
    }
    return end
  }

  private processSingleQuote(): string {
    const quote = this.next()
    const close = this.text.indexOf("'", this.pos)
    if (close === -1) throw new ShellSyntaxError('unexpected end of statement while looking for matching single-quote')
    const inner = this.text.slice(this.pos, close)
    this.pos = close + 1
    return this.options.rawQuotes ? `${quote}${inner}'` : inner
  }

  private processDoubleQuote(): string {
    const result: string[] = []
    const quote = this.next()
    if (this.options.rawQuotes) result.push(quote)
    for (;;) {
      const ch = this.peek()
      if (ch === EOF) throw new ShellSyntaxError('unexpected end of statement while looking for matching double-quote')
      if (ch === '"') {
        this.next()
        if (this.options.rawQuotes) result.push(ch)
        return result.join('')
      }
      if (ch === '$') {
        result.push(this.processDollar())
        continue
      }
      let current = this.next()
      if (current === this.options.escape) {
        if (this.rawEscapes) result.push(current)
        const after = this.peek()
        if (after === EOF) continue
        // Only ", $ and the escape character itself can be escaped inside double quotes.
        if (after === '"' || after === '$' || after === this.options.escape) current = this.next()
      }
      result.push(current)
    }
  }

  private processDollar(): string {
    this.next()
    if (this.peek() !== '{') {
      const name = this.processName()
      if (name === '') return '$'
      const value = this.lookup(name)
      if (value !== undefined) return value
      if (this.options.skipUnsetEnv) return `$${name}`
      this.unset.add(name)
      return ''
    }
    this.next()
    const first = this.peek()
    if (first === EOF) throw new ShellSyntaxError("syntax error: missing '}'")
    if (first === '{' || first === '}' || first === ':') throw new ShellSyntaxError('syntax error: bad substitution')
    const name = this.processName()
    const modifier = this.next()
    switch (modifier) {
      case '}': {
        const value = this.lookup(name)
        if (value !== undefined) return value
        if (this.options.skipUnsetEnv) return `\${${name}}`
        this.unset.add(name)
        return ''
      }
      case ':':
      case '+':
      case '-':
      case '?':
      case '#':
      case '%':
        return this.processModifier(name, modifier)
      case '/':
        return this.processReplace(name)
      case EOF:
        throw new ShellSyntaxError("syntax error: missing '}'")
      default:
        throw new ShellSyntaxError(`unsupported modifier (${modifier}) in substitution`)
    }
  }

  private processModifier(name: string, first: string): string {
    let modifier = first
    let written = first
    const nullIsUnset = first === ':'
    if (nullIsUnset) {
      modifier = this.next()
      written += modifier
    }
    const patterned = modifier === '#' || modifier === '%'
    if (nullIsUnset && patterned) throw new ShellSyntaxError(`unsupported modifier (${written}) in substitution`)
    let word = this.processBraceWord('}', patterned)
    const value = this.lookup(name)
    if (value === undefined && this.options.skipUnsetEnv) return `\${${name}${written}${word}}`
    const empty = value === undefined || (nullIsUnset && value === '')
    switch (modifier) {
      case '-':
        return empty ? word : (value as string)
      case '+':
        return empty ? '' : word
      case '?':
        if (value === undefined) throw new ShellSyntaxError(`${name}: ${word || 'is not allowed to be unset'}`)
        if (empty) throw new ShellSyntaxError(`${name}: ${word || 'is not allowed to be empty'}`)
        return value
      case '#':
      case '%': {
        // ## and %% match the longest pattern, # and % the shortest.
        const longest = word.startsWith(modifier)
        if (longest) word = word.slice(1)
        return this.withGlob(() => (modifier === '%' ? trimSuffix(value ?? '', word, longest) : trimPrefix(value ?? '', word, longest)), word)
      }
      default:
        throw new ShellSyntaxError(`unsupported modifier (${written}) in substitution`)
    }
  }

  private processReplace(name: string): string {
    const all = this.peek() === '/'
    if (all) this.next()
    const pattern = this.processBraceWord('/', true)
    const replacement = this.processBraceWord('}', true)
    const value = this.lookup(name)
    if (value === undefined && this.options.skipUnsetEnv) return `\${${name}/${pattern}/${replacement}}`
    return this.withGlob(() => replacePattern(value ?? '', pattern, replacement, all), pattern)
  }

  private processBraceWord(stop: string, rawEscapes: boolean): string {
    try {
      return this.processStopOn(stop, rawEscapes).result
    } catch (thrown) {
      if (thrown instanceof ShellSyntaxError && this.peek() === EOF) {
        throw new ShellSyntaxError(stop === '}' ? "syntax error: missing '}'" : "syntax error: missing '/' in ${}")
      }
      throw thrown
    }
  }

  private withGlob(apply: () => string, pattern: string): string {
    try {
      return apply()
    } catch (thrown) {
      if (thrown instanceof GlobSyntaxError) throw new ShellSyntaxError(`invalid pattern (${pattern}) in substitution: ${thrown.message}`)
      throw thrown
    }
  }

  /** A name is letters, digits and `_`; a leading digit run or one special parameter character ends it. */
  private processName(): string {
    const start = this.pos
    const first = this.peek()
    if (isDigit(first)) {
      while (isDigit(this.peek())) this.next()
      return this.text.slice(start, this.pos)
    }
    if (SPECIAL_PARAMETERS.has(first)) {
      this.next()
      return first
    }
    while (this.peek() !== EOF && NAME_CHAR.test(this.peek())) this.next()
    return this.text.slice(start, this.pos)
  }

  private lookup(name: string): string | undefined {
    this.used.add(name)
    return this.env.get(name)
  }
}

const SPECIAL_PARAMETERS = new Set(['@', '*', '#', '?', '-', '$', '!'])
const NAME_CHAR = /^[\p{L}\p{Nd}_]$/u

function isDigit(ch: string): boolean {
  return ch !== EOF && /^\p{Nd}$/u.test(ch)
}
