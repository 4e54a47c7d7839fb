/**
 * `WWW-Authenticate` as RFC 9110 (section 11.6.1) defines it: a comma-separated list of challenges, each an auth
 * scheme followed by a token68 or by `name=value` parameters, where values may be quoted strings holding commas
 * (`scope="repository:a/b:pull,push"`). Several challenges may share one header, and `Headers.get` joins repeated
 * headers with ", ", so commas alone cannot split challenges.
 */

export interface Challenge {
  /** Lower-cased: schemes are case-insensitive (`Bearer`, `bearer`). */
  scheme: string
  /** Parameter names lower-cased; values unquoted and unescaped. The first occurrence of a name wins. */
  params: Record<string, string>
  token68?: string
}

/** tchar (schemes, parameter names) and token68's `/`, read alike; the `=` that follows tells them apart. */
const WORD_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z/]/
const TCHAR_ONLY = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const OWS = /[ \t]/

export function parseWwwAuthenticate(header: string): Challenge[] {
  const challenges: Challenge[] = []
  let current: Challenge | undefined
  // Whether a comma came since the current scheme: a bare word right after the scheme is its token68, after a comma
  // it starts the next challenge.
  let sawComma = false
  let i = 0

  const skip = (re: RegExp): void => {
    while (i < header.length && re.test(header.charAt(i))) i++
  }
  const read = (re: RegExp): string => {
    const start = i
    skip(re)
    return header.slice(start, i)
  }
  const readQuoted = (): string => {
    i++ // opening quote
    let value = ''
    while (i < header.length) {
      const c = header.charAt(i++)
      if (c === '"') return value
      value += c === '\\' && i < header.length ? header.charAt(i++) : c
    }
    return value // unterminated: the rest is the value
  }
  // Unquoted values should be tokens; registries sometimes send `scope=repository:a/b:pull` unquoted, so take
  // everything up to the next separator.
  const readBare = (): string => read(/[^,\s"]/)

  while (i < header.length) {
    skip(OWS)
    if (header.charAt(i) === ',') {
      sawComma = true
      i++
      continue
    }
    if (i >= header.length) break

    const word = read(WORD_CHAR)
    if (word === '') {
      i++ // a character no grammar allows here: skip it rather than give up on the rest
      continue
    }
    skip(OWS)

    if (header.charAt(i) === '=') {
      const equals = read(/=/)
      skip(OWS)
      const atEnd = i >= header.length || header.charAt(i) === ','
      if (current !== undefined && !sawComma && current.token68 === undefined && isEmpty(current.params) && atEnd) {
        current.token68 = word + equals // `Basic dGVzdA==`
        continue
      }
      const value = header.charAt(i) === '"' ? readQuoted() : atEnd ? '' : readBare()
      if (current === undefined || !TCHAR_ONLY.test(word) || equals.length > 1) continue // belongs to no challenge
      const name = word.toLowerCase()
      // hasOwn, and no __proto__: a hostile header must not reach Object.prototype.
      if (name !== '__proto__' && !Object.hasOwn(current.params, name)) current.params[name] = value
      continue
    }

    if (current !== undefined && !sawComma && current.token68 === undefined && isEmpty(current.params)) {
      current.token68 = word // `Negotiate abc` without padding
      continue
    }
    current = { scheme: word.toLowerCase(), params: {} }
    challenges.push(current)
    sawComma = false
  }
  return challenges
}

function isEmpty(record: Record<string, string>): boolean {
  return Object.keys(record).length === 0
}
