import { isSpace, trimLeftSpace, trimSpace } from './text.js'

/** The separators BuildKit splits a command line and FROM's arguments on (`[\t\v\f\r ]+`). */
const SEPARATORS = new Set([' ', '\t', '\v', '\f', '\r'])

/** Splits on runs of separators, as BuildKit's parseStringsWhitespaceDelimited does. */
export function splitFields(text: string): string[] {
  const fields: string[] = []
  let start = -1
  for (let i = 0; i <= text.length; i++) {
    const separator = i === text.length || SEPARATORS.has(text.charAt(i))
    if (separator && start !== -1) {
      fields.push(text.slice(start, i))
      start = -1
    } else if (!separator && start === -1) start = i
  }
  return fields
}

/** The instruction name and the text after it (splitCommand): `"RUN  a b"` gives RUN and `a b`. */
export function splitCommand(line: string): { keyword: string; args: string } {
  const trimmed = trimSpace(line)
  let end = 0
  while (end < trimmed.length && !SEPARATORS.has(trimmed.charAt(end))) end++
  return { keyword: trimmed.slice(0, end), args: trimSpace(trimmed.slice(end)) }
}

/**
 * BuildKit's extractBuilderFlags: the leading words that start with `--` (quotes and `\` removed from them) and
 * the text after them; `--` alone ends the flags. A flag value must follow `=` (`--platform=linux/amd64`).
 */
export function extractFlags(line: string): { flags: string[]; rest: string } {
  const flags: string[] = []
  let phase: 'spaces' | 'word' | 'quote' = 'spaces'
  let word: string[] = []
  let quote = ''
  let blankOK = false
  for (let pos = 0; pos <= line.length; pos++) {
    const ch = line.charAt(pos)
    if (phase === 'spaces') {
      if (pos === line.length) break
      if (isSpace(ch)) continue
      if (ch !== '-' || line.charAt(pos + 1) !== '-') return { flags, rest: line.slice(pos) }
      phase = 'word'
    }
    if (pos === line.length) {
      const text = word.join('')
      if (text !== '--' && (blankOK || text.length > 0)) flags.push(text)
      break
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        const text = word.join('')
        if (text === '--') return { flags, rest: line.slice(pos) }
        if (blankOK || text.length > 0) flags.push(text)
        phase = 'spaces'
        word = []
        blankOK = false
        continue
      }
      if (ch === "'" || ch === '"') {
        quote = ch
        blankOK = true
        phase = 'quote'
        continue
      }
      if (ch === '\\') {
        if (pos + 1 === line.length) continue
        pos++
      }
      word.push(line.charAt(pos))
      continue
    }
    if (ch === quote) {
      phase = 'word'
      continue
    }
    if (ch === '\\') {
      if (pos + 1 === line.length) {
        phase = 'word'
        continue
      }
      pos++
    }
    word.push(line.charAt(pos))
  }
  return { flags, rest: '' }
}

/**
 * BuildKit's parseWords, used for ARG: words split on whitespace outside quotes; quotes and escapes stay in the
 * word (the shell-word processing removes them later), an escape character at the very end is dropped.
 */
export function splitQuotedWords(rest: string, escape: string): string[] {
  const words: string[] = []
  let phase: 'spaces' | 'word' | 'quote' = 'spaces'
  let start = 0
  let quote = ''
  let blankOK = false
  const finish = (end: number): void => {
    if (blankOK || end > start) words.push(rest.slice(start, end))
  }
  for (let pos = 0; pos <= rest.length; pos++) {
    const ch = rest.charAt(pos)
    if (phase === 'spaces') {
      if (pos === rest.length) break
      if (isSpace(ch)) continue
      phase = 'word'
      start = pos
    }
    if (pos === rest.length) {
      finish(pos)
      break
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        finish(pos)
        phase = 'spaces'
        blankOK = false
        continue
      }
      if (ch === "'" || ch === '"') {
        quote = ch
        blankOK = true
        phase = 'quote'
      } else if (ch === escape) {
        if (pos + 1 === rest.length) {
          finish(pos)
          break
        }
        pos++
      }
      continue
    }
    if (ch === quote) phase = 'word'
    else if (ch === escape && quote !== "'") {
      if (pos + 1 === rest.length) {
        finish(pos)
        break
      }
      pos++
    }
  }
  return words
}

/** Whether text (after flags) is a JSON array of strings, BuildKit's "exec form" (which never holds heredocs). */
export function isJsonStringArray(text: string): boolean {
  const s = trimLeftSpace(text)
  if (!s.startsWith('[')) return false
  let pos = skipJsonSpace(s, 1)
  if (s.charAt(pos) === ']') return true
  for (;;) {
    pos = skipJsonString(s, pos)
    if (pos === -1) return false
    pos = skipJsonSpace(s, pos)
    const ch = s.charAt(pos)
    // Go's json.Decoder reads the first value and ignores what follows it.
    if (ch === ']') return true
    if (ch !== ',') return false
    pos = skipJsonSpace(s, pos + 1)
  }
}

function skipJsonSpace(s: string, pos: number): number {
  while (pos < s.length && ' \t\r\n'.includes(s.charAt(pos))) pos++
  return pos
}

function skipJsonString(s: string, pos: number): number {
  if (s.charAt(pos) !== '"') return -1
  for (let i = pos + 1; i < s.length; i++) {
    const code = s.charCodeAt(i)
    if (code === 0x22) return i + 1
    if (code < 0x20) return -1
    if (code === 0x5c) {
      const next = s.charAt(i + 1)
      if (next === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) return -1
        i += 5
      } else if ('"\\/bfnrt'.includes(next) && next !== '') i++
      else return -1
    }
  }
  return -1
}
