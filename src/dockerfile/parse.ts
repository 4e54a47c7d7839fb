import { UserError } from '../errors.js'
import { processWord } from './shell.js'
import { assertDockerfileText, clip, trimLeftSpace } from './text.js'
import { extractFlags, isJsonStringArray, splitCommand } from './words.js'

/**
 * Reads a Dockerfile into instructions exactly as BuildKit's parser (frontend/dockerfile/parser) does:
 * parser directives at the top, comments, line continuations, heredocs and 1-based line numbers.
 */

export interface Instruction {
  /** Upper case, e.g. `FROM`. */
  keyword: string
  /** The text after the keyword, continuation lines joined, comment lines inside them dropped. */
  args: string
  /** 1-based first line. */
  line: number
  /** 1-based last line, including heredoc bodies and their terminators. */
  endLine: number
  heredocs: Array<{ delimiter: string; body: string }>
}

export interface ParsedDockerfile {
  /** Parser directives by lower-case name: `syntax`, `escape`, `check`. */
  directives: Record<string, string>
  escape: '\\' | '`'
  instructions: Instruction[]
}

const DIRECTIVES = new Set(['syntax', 'escape', 'check'])
/** The instructions (also under ONBUILD) whose shell form may carry heredocs. */
const HEREDOC_INSTRUCTIONS = new Set(['ADD', 'COPY', 'RUN'])

/** Throws UserError (with `file` and the line) for what BuildKit refuses to parse, and for empty or binary text. */
export function parseDockerfile(text: string, file?: string, shownAs?: string): ParsedDockerfile {
  assertDockerfileText(text, file, shownAs)
  const lines = new Lines(text)
  const directives = new Directives(file)
  const instructions: Instruction[] = []

  while (!lines.done) {
    let raw = lines.next()
    const startLine = lines.number
    if (startLine === 1 && raw.startsWith('\ufeff')) raw = raw.slice(1)
    const token = trimLeftSpace(trimNewline(raw))
    directives.read(token, startLine)
    const escape = directives.escape

    let [content, ended] = trimContinuation(token.startsWith('#') ? '' : token, escape)
    if (ended && content === '') continue
    const parts = [content]
    while (!ended && !lines.done) {
      const next = trimNewline(lines.next())
      const trimmed = trimLeftSpace(next)
      // Comment lines and empty lines inside a continuation are skipped, not ended on.
      if (trimmed.startsWith('#') || trimmed === '') continue
      ;[content, ended] = trimContinuation(next, escape)
      parts.push(content)
    }
    const line = parts.join('')
    const { keyword, args } = splitCommand(line)
    const heredocs = line.includes('<<') && canContainHeredoc(keyword, args) ? readHeredocs(line, lines, file, startLine) : []
    instructions.push({ keyword: keyword.toUpperCase(), args, line: startLine, endLine: lines.number, heredocs })
  }
  return { directives: directives.values, escape: directives.escape, instructions }
}

/** The file's lines, each without its LF, and the 1-based number of the last one read. */
class Lines {
  private readonly lines: string[]
  private readonly finalNewline: boolean
  number = 0

  constructor(text: string) {
    this.lines = text.split('\n')
    this.finalNewline = text.endsWith('\n')
    // A final newline ends the last line; it does not start another.
    if (this.finalNewline) this.lines.pop()
  }

  get done(): boolean {
    return this.number >= this.lines.length
  }

  next(): string {
    return this.lines[this.number++] as string
  }

  /** Whether the last line read ended with a newline (only the file's last line may not). */
  get hadNewline(): boolean {
    return this.number < this.lines.length || this.finalNewline
  }
}

/** Parser directives: only while every line so far is one; the first other line ends them. */
class Directives {
  readonly values: Record<string, string> = {}
  escape: '\\' | '`' = '\\'
  private done = false

  constructor(private readonly file: string | undefined) {}

  read(token: string, line: number): void {
    if (this.done) return
    const directive = matchDirective(token)
    if (!directive || !DIRECTIVES.has(directive.name)) {
      this.done = true
      return
    }
    if (directive.name in this.values) {
      throw new UserError(`Line ${line}: only one ${directive.name} parser directive can be used.`, this.file, line)
    }
    if (directive.name === 'escape') {
      if (directive.value !== '\\' && directive.value !== '`') {
        throw new UserError(`Line ${line}: invalid escape directive '${clip(directive.value)}'; use \\ or \`.`, this.file, line)
      }
      this.escape = directive.value
    }
    this.values[directive.name] = directive.value
  }
}

/** Reads the bodies of the heredocs the instruction line opens, in order, from the lines after it. */
function readHeredocs(line: string, lines: Lines, file: string | undefined, startLine: number): Instruction['heredocs'] {
  const heredocs: Instruction['heredocs'] = []
  for (const heredoc of heredocsFromLine(line)) {
    const body: string[] = []
    let terminated = false
    while (!lines.done && !terminated) {
      const bodyLine = lines.next()
      let candidate = trimNewline(bodyLine)
      if (heredoc.chomp) candidate = candidate.replace(/^\t+/, '')
      if (candidate === heredoc.name) terminated = true
      else body.push(lines.hadNewline ? `${bodyLine}\n` : bodyLine)
    }
    if (!terminated) {
      throw new UserError(
        `Line ${startLine}: heredoc <<${clip(heredoc.name)} is never terminated (no line holding only ${clip(heredoc.name)}).`,
        file,
        startLine
      )
    }
    heredocs.push({ delimiter: heredoc.name, body: body.join('') })
  }
  return heredocs
}

/** BuildKit drops every trailing CR and LF of a line. */
function trimNewline(line: string): string {
  let end = line.length
  while (end > 0 && (line.charCodeAt(end - 1) === 0x0d || line.charCodeAt(end - 1) === 0x0a)) end--
  return end === line.length ? line : line.slice(0, end)
}

/**
 * The escape character, then only spaces or tabs, continues the line - unless an escape character precedes it
 * (BuildKit's `([^\\])\\[ \t]*$|^\\[ \t]*$`). Scanned from the end, so a 1 MB line costs one pass.
 */
function trimContinuation(line: string, escape: string): [string, boolean] {
  let end = line.length
  while (end > 0 && (line.charAt(end - 1) === ' ' || line.charAt(end - 1) === '\t')) end--
  const at = end - 1
  if (at < 0 || line.charAt(at) !== escape) return [line, true]
  if (at > 0 && line.charAt(at - 1) === escape) return [line, true]
  return [line.slice(0, at), false]
}

/** `# name = value` as BuildKit's DirectiveParser reads it (Go's \s is [\t\n\f\r ]). */
function matchDirective(line: string): { name: string; value: string } | undefined {
  if (!line.startsWith('#')) return undefined
  const text = trimLeftSpace(line.slice(1))
  const name = /^[a-zA-Z][a-zA-Z0-9]*/.exec(text)?.[0]
  if (name === undefined) return undefined
  let pos = name.length
  while (isRegexSpace(text.charAt(pos))) pos++
  if (text.charAt(pos) !== '=') return undefined
  const rest = text.slice(pos + 1)
  if (rest === '') return undefined
  let start = 0
  while (start < rest.length && isRegexSpace(rest.charAt(start))) start++
  let end = rest.length
  while (end > start && isRegexSpace(rest.charAt(end - 1))) end--
  // `\s*(.+?)\s*$` needs one character: a value of only whitespace keeps its last one.
  const value = start === end ? rest.slice(-1) : rest.slice(start, end)
  return { name: name.toLowerCase(), value }
}

function isRegexSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\f' || ch === '\r'
}

/** RUN, COPY and ADD (also behind ONBUILD) in shell form; the JSON exec form never holds heredocs. */
function canContainHeredoc(keyword: string, args: string): boolean {
  let name = keyword.toUpperCase()
  let rest = args
  if (name === 'ONBUILD') {
    const inner = splitCommand(args)
    name = inner.keyword.toUpperCase()
    rest = inner.args
  }
  return HEREDOC_INSTRUCTIONS.has(name) && !isJsonStringArray(extractFlags(rest).rest)
}

const HEREDOC_WORD = /^(\d*)<<(-?)([^<]*)$/

/**
 * The heredocs a line opens, in order: each shell word of the form `[n]<<[-]WORD` (BuildKit's heredocsFromLine).
 * The delimiter is WORD with its quotes removed; `<<-` strips leading tabs when finding the terminator.
 */
function heredocsFromLine(line: string): Array<{ name: string; chomp: boolean }> {
  let words: string[]
  try {
    words = processWord(line, new Map(), { escape: '\\', rawQuotes: true, rawEscapes: true, skipUnsetEnv: true, words: true }).words
  } catch {
    // BuildKit ignores a line its shell lexer cannot split (an open quote): no heredocs then.
    return []
  }
  const heredocs: Array<{ name: string; chomp: boolean }> = []
  for (const word of words) {
    const match = HEREDOC_WORD.exec(word)
    const rest = match?.[3]
    if (!match || !rest) continue
    let names: string[]
    try {
      names = processWord(rest, new Map(), { escape: '\\', skipUnsetEnv: true, words: true }).words
    } catch {
      continue
    }
    if (names.length === 1) heredocs.push({ name: names[0] as string, chomp: match[2] === '-' })
  }
  return heredocs
}
