// .dockerignore with the semantics of BuildKit's context transfer (moby/patternmatcher + tonistiigi/fsutil):
// - lines starting with `#` are comments; each line is trimmed; `!` re-includes; patterns are cleaned like Go's
//   filepath.Clean and a leading `/` is dropped, so `/a`, `./a` and `a` are the same pattern;
// - a pattern is a Go filepath.Match pattern per path segment (`*` and `?` never cross `/`), plus `**`;
// - a path matches a pattern when the path or any of its parent directories matches it; later lines win;
// - an excluded directory is not descended into unless an exception could re-include something inside it
//   (any exception with a wildcard, or one that starts with the directory's path).
// @balena/dockerignore implements the older moby rules with a per-path cache that grows with the tree; this
// keeps per-directory match bits instead, so a walk costs O(patterns) per entry and constant extra memory.

import { posix } from 'node:path'

interface Rule {
  text: string
  re: RegExp
  exclusion: boolean
}

export class DockerIgnore {
  private readonly rules: Rule[]
  private readonly exceptionsWithWildcards: boolean

  constructor(patterns: readonly string[]) {
    this.rules = []
    for (const line of patterns) {
      const rule = compileLine(line)
      if (rule !== undefined) this.rules.push(rule)
    }
    this.exceptionsWithWildcards = this.rules.some(r => r.exclusion && /[*?[\\]/.test(r.text))
  }

  static parse(text: string): DockerIgnore {
    return new DockerIgnore(text.replace(/^\uFEFF/, '').split(/\r?\n/))
  }

  get empty(): boolean {
    return this.rules.length === 0
  }

  /**
   * Whether `relPath` ('/'-separated, relative to the context) is excluded, given the match bits of its parent
   * directory (undefined for entries at the root). Returns the bits to pass to its children.
   */
  match(relPath: string, parentBits: readonly boolean[] | undefined): { excluded: boolean; bits: boolean[] } {
    const bits = new Array<boolean>(this.rules.length)
    let excluded = false
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i]!
      const hit = parentBits?.[i] === true || rule.re.test(relPath)
      bits[i] = hit
      if (hit) excluded = !rule.exclusion
    }
    return { excluded, bits }
  }

  /** For an excluded directory: may an exception re-include something below it? (fsutil's walk shortcut) */
  mayReinclude(relDir: string): boolean {
    if (this.exceptionsWithWildcards) return true
    const prefix = `${relDir}/`
    return this.rules.some(r => r.exclusion && `${r.text}/`.startsWith(prefix))
  }

  /** Convenience for one path without a walk: checks every parent directory too. */
  ignores(relPath: string): boolean {
    const parts = relPath.split('/')
    let bits: boolean[] | undefined
    let excluded = false
    for (let i = 1; i <= parts.length; i++) {
      const r = this.match(parts.slice(0, i).join('/'), bits)
      bits = r.bits
      excluded = r.excluded
    }
    return excluded
  }
}

function compileLine(raw: string): Rule | undefined {
  if (raw.startsWith('#')) return undefined
  let pattern = raw.trim()
  if (pattern === '') return undefined
  let exclusion = false
  if (pattern.startsWith('!')) {
    exclusion = true
    pattern = pattern.slice(1).trim()
  }
  if (pattern.length > 0) {
    pattern = posix.normalize(pattern)
    if (pattern.length > 1 && pattern.endsWith('/')) pattern = pattern.slice(0, -1)
    if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1)
  }
  if (pattern === '' || pattern === '.') {
    // `!` alone or `.`: Docker treats `.` as the whole context only for exclusions.
    if (pattern === '' || exclusion) return undefined
  }
  return { text: pattern, re: toRegExp(pattern), exclusion }
}

function toRegExp(pattern: string): RegExp {
  if (pattern === '.') return /^.*$/
  let re = '^'
  let inClass = false
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!
    if (inClass) {
      // Inside [...] Go's ranges and `^` negation mean the same in a RegExp class.
      if (ch === ']') inClass = false
      re += ch === '\\' ? '\\\\' : ch
      continue
    }
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++
        if (pattern[i + 1] === '/') i++
        re += i + 1 >= pattern.length ? '.*' : '(?:.*/)?'
      } else {
        re += '[^/]*'
      }
    } else if (ch === '?') {
      re += '[^/]'
    } else if (ch === '\\') {
      const next = pattern[i + 1]
      if (next !== undefined) {
        re += escapeRegExp(next)
        i++
      } else {
        re += '\\\\'
      }
    } else if (ch === '[') {
      inClass = true
      re += ch
    } else {
      re += escapeRegExp(ch)
    }
  }
  try {
    return new RegExp(`${re}$`, 's')
  } catch {
    // An unbalanced `[` is an error in Docker too; match it literally rather than fail the scan.
    return new RegExp(`^${escapeRegExp(pattern)}$`, 's')
  }
}

function escapeRegExp(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
}
