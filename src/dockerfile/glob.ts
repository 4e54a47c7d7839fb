/**
 * The shell patterns of ${VAR#p}, ${VAR%p} and ${VAR/p/r}: `*`, `?` and `\` escapes, as BuildKit's
 * convertShellPatternToRegex reads them. Matched by simulating the pattern's automaton, so the cost stays
 * linear in the value for each start position (no regex backtracking).
 */

export type GlobToken = { kind: 'star' } | { kind: 'one' } | { kind: 'char'; char: string }

export class GlobSyntaxError extends Error {}

export function compileGlob(pattern: string): GlobToken[] {
  const chars = Array.from(pattern)
  const tokens: GlobToken[] = []
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string
    if (ch === '*') tokens.push({ kind: 'star' })
    else if (ch === '?') tokens.push({ kind: 'one' })
    else if (ch === '\\') {
      const next = chars[i + 1]
      // `\}` and `\/` only keep the brace or slash from ending the ${...}; the backslash is not part of the pattern.
      if (next === '}' || next === '/') continue
      if (next !== '*' && next !== '?' && next !== '\\') throw new GlobSyntaxError(`invalid escape '\\${next ?? ''}'`)
      tokens.push({ kind: 'char', char: next })
      i++
    } else tokens.push({ kind: 'char', char: ch })
  }
  return tokens
}

/** End (exclusive, in code points) of the shortest or longest match of the whole pattern starting at `from`. */
export function matchAt(tokens: GlobToken[], chars: string[], from: number, longest: boolean): number | undefined {
  const size = tokens.length + 1
  let current = new Uint8Array(size)
  let next = new Uint8Array(size)
  current[0] = 1
  close(tokens, current)
  let found = current[tokens.length] ? from : undefined
  if (found !== undefined && !longest) return found
  for (let i = from; i < chars.length; i++) {
    next.fill(0)
    let alive = false
    for (let j = 0; j < tokens.length; j++) {
      if (!current[j]) continue
      const token = tokens[j] as GlobToken
      if (token.kind === 'star') next[j] = 1
      else if (token.kind === 'one' || token.char === chars[i]) next[j + 1] = 1
    }
    close(tokens, next)
    ;[current, next] = [next, current]
    for (let j = 0; j < size && !alive; j++) alive = current[j] === 1
    if (!alive) break
    if (current[tokens.length]) {
      found = i + 1
      if (!longest) return found
    }
  }
  return found
}

/** A star may match nothing, so the state after it is reachable too. */
function close(tokens: GlobToken[], states: Uint8Array): void {
  for (let j = 0; j < tokens.length; j++) {
    if (states[j] && (tokens[j] as GlobToken).kind === 'star') states[j + 1] = 1
  }
}

/** ${VAR#p} (shortest) and ${VAR##p} (longest). */
export function trimPrefix(value: string, pattern: string, longest: boolean): string {
  const chars = Array.from(value)
  const end = matchAt(compileGlob(pattern), chars, 0, longest)
  return end === undefined ? value : chars.slice(end).join('')
}

/** ${VAR%p} and ${VAR%%p}: the same search on the reversed value with the reversed pattern, as BuildKit does. */
export function trimSuffix(value: string, pattern: string, longest: boolean): string {
  const chars = Array.from(value).reverse()
  const end = matchAt(compileGlob(pattern).reverse(), chars, 0, longest)
  return end === undefined ? value : chars.slice(end).reverse().join('')
}

/** ${VAR/p/r} and ${VAR//p/r}: leftmost matches, stars greedy, with Go's ReplaceAll rules for empty matches. */
export function replacePattern(value: string, pattern: string, replacement: string, all: boolean): string {
  const tokens = compileGlob(pattern)
  const chars = Array.from(value)
  const find = (from: number): [number, number] | undefined => {
    for (let start = from; start <= chars.length; start++) {
      const end = matchAt(tokens, chars, start, true)
      if (end !== undefined) return [start, end]
    }
    return undefined
  }
  if (!all) {
    const match = find(0)
    return match ? slice(chars, 0, match[0]) + replacement + slice(chars, match[1]) : value
  }
  const out: string[] = []
  let lastEnd = 0
  let search = 0
  while (search <= chars.length) {
    const match = find(search)
    if (!match) break
    out.push(slice(chars, lastEnd, match[0]))
    // An empty match right after another match is not replaced again.
    if (match[1] > lastEnd || match[0] === 0) out.push(replacement)
    lastEnd = match[1]
    search = match[1] > search ? match[1] : search + 1
  }
  out.push(slice(chars, lastEnd))
  return out.join('')
}

function slice(chars: string[], start: number, end?: number): string {
  return chars.slice(start, end).join('')
}
