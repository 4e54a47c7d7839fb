// Dockerfile ENV and ARG instructions whose variable name says secret and whose value is a literal: an ENV value
// is stored in the image config, an ARG default in the build history. `ARG TOKEN` (no value), `ENV X=$TOKEN`,
// `*_FILE` paths and `RUN --mount=type=secret` are the right way and are not reported.
// Reads the Dockerfile the way BuildKit does for this purpose: parser directives (`# escape=`) only at the top,
// comment lines, line continuations with the escape character, and heredoc bodies that are never instructions.

import type { RuleId } from './rules.js'
import { isPlaceholder } from './values.js'

const SECRET_NAME = /(?:password|passwd|passphrase|pwd|secret|secretkey|token|apikey|apisecret|accesskey|privatekey|authkey|credential|credentials)$/
const NOT_SECRET_NAME = /(?:public|example|sample|dummy)/

export function isSecretName(name: string): boolean {
  const key = name.toLowerCase().replace(/[^a-z0-9]/g, '')
  return SECRET_NAME.test(key) && !NOT_SECRET_NAME.test(key)
}

type Emit = (rule: RuleId, start: number, end: number, value: string) => void

interface Segment {
  joined: number // index in the joined instruction text
  offset: number // index in the file text
}

/** `text` is the Dockerfile decoded as latin1 (indexes = byte offsets); positions are reported + `offset`. */
export function scanDockerfile(text: string, offset: number, emit: Emit): void {
  let escape = '\\'
  const lineRe = /[^\n]{0,1000000}\n?/g
  const lines: Array<{ start: number; text: string }> = []
  for (let m = lineRe.exec(text); m !== null && m[0].length > 0; m = lineRe.exec(text)) {
    lines.push({ start: m.index, text: m[0].replace(/\r?\n$/, '') })
  }
  let directives = true
  let joined = ''
  let segments: Segment[] = []
  const heredocs: Array<{ delimiter: string; strip: boolean }> = []

  const finish = (): void => {
    if (joined.trim() !== '') instruction(joined, segments, emit, offset, heredocs)
    joined = ''
    segments = []
  }

  for (const line of lines) {
    const heredoc = heredocs[0]
    if (heredoc !== undefined) {
      const candidate = heredoc.strip ? line.text.replace(/^\t+/, '') : line.text
      if (candidate === heredoc.delimiter) heredocs.shift()
      continue
    }
    const trimmed = line.text.trimStart()
    if (directives) {
      const directive = /^#[ \t]*([a-z]+)[ \t]*=[ \t]*(\S+)[ \t]*$/i.exec(trimmed)
      if (directive !== null) {
        if (directive[1]?.toLowerCase() === 'escape' && (directive[2] === '`' || directive[2] === '\\')) escape = directive[2]
        continue
      }
      directives = false
    }
    if (trimmed.startsWith('#') || (joined === '' && trimmed === '')) continue
    let body = line.text
    const withoutTrailing = body.replace(/[ \t]+$/, '')
    const continues = withoutTrailing.endsWith(escape)
    if (continues) body = withoutTrailing.slice(0, -1)
    segments.push({ joined: joined.length, offset: line.start })
    joined += body
    if (!continues) finish()
  }
  finish()
}

function instruction(text: string, segments: Segment[], emit: Emit, offset: number, heredocs: Array<{ delimiter: string; strip: boolean }>): void {
  const head = /^[ \t]*([A-Za-z]+)[ \t]+/.exec(text)
  if (head === null) return
  const name = (head[1] ?? '').toUpperCase()
  const heredocRe = /<<(-?)(["']?)([A-Za-z0-9_]{1,64})\2/g
  if (name === 'RUN' || name === 'COPY' || name === 'ADD') {
    for (let m = heredocRe.exec(text); m !== null; m = heredocRe.exec(text)) {
      heredocs.push({ delimiter: m[3] ?? '', strip: m[1] === '-' })
    }
  }
  if (name !== 'ENV' && name !== 'ARG') return
  const rule: RuleId = name === 'ENV' ? 'dockerfile-secret-env' : 'dockerfile-secret-arg'
  const toFile = (index: number): number => {
    let seg = segments[0]
    for (const s of segments) if (s.joined <= index) seg = s
    return offset + (seg === undefined ? index : seg.offset + (index - seg.joined))
  }
  const rest = head[0].length
  const legacy = /^([^\s=]+)[ \t]+(\S[^\n]{0,100000})$/.exec(text.slice(rest))
  if (name === 'ENV' && legacy !== null && !(legacy[1] ?? '').includes('=')) {
    const value = (legacy[2] ?? '').trimEnd()
    report(legacy[1] ?? '', value, rest + text.slice(rest).indexOf(value, (legacy[1] ?? '').length), rule, toFile, emit)
    return
  }
  // KEY=value pairs (ARG also allows a bare NAME).
  let i = rest
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++
    const keyStart = i
    while (i < text.length && !/[\s=]/.test(text[i] ?? '')) i++
    const key = text.slice(keyStart, i)
    if (key === '') break
    if (text[i] !== '=') continue
    i++
    let value = ''
    let valueStart = i
    const q = text[i]
    if (q === '"' || q === "'") {
      valueStart = i + 1
      i++
      while (i < text.length && text[i] !== q) i += text[i] === '\\' && q === '"' ? 2 : 1
      value = text.slice(valueStart, Math.min(i, text.length))
      i++
    } else {
      while (i < text.length && !/\s/.test(text[i] ?? '')) i += text[i] === '\\' ? 2 : 1
      value = text.slice(valueStart, i)
    }
    report(key, value, valueStart, rule, toFile, emit)
  }
}

function report(key: string, value: string, at: number, rule: RuleId, toFile: (i: number) => number, emit: Emit): void {
  if (!isSecretName(key) || value === '' || value.includes('$')) return
  if (isPlaceholder(value)) return
  const start = toFile(at)
  emit(rule, start, start + value.length, value)
}
