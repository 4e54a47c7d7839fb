// Scans one file as a stream with bounded memory: chunks of CHUNK bytes, each with the LOOKBACK bytes before it
// and LOOKAHEAD bytes after it available, so that a token straddling two chunks is still seen whole and no line
// length (a 50 MB minified line, a 5 GB log) changes how much is held. Anchors are found by the prefilter and
// only there do rules run.

import { ANCHORS, HANDLERS, LOOKAHEAD, LOOKBACK, lastIndexOfByte, type DetectContext } from './detectors.js'
import { scanCredentialFile, type CredentialKind } from './credential-files.js'
import { scanDockerfile } from './dockerfile.js'
import { Prefilter } from './prefilter.js'
import type { RuleId } from './rules.js'
import { ruleRank } from './rules.js'
import { ALLOW_MARKER, ALLOW_NEXT_LINE_MARKER } from './suppress.js'
import { isDocumentedExample, isExampleLine } from './examples.js'

export const CHUNK = 1 << 20
/** Size of the buffer one file needs while it is being read. */
export const BUFFER_SIZE = 1 + LOOKBACK + LOOKAHEAD + CHUNK
/** Binary detection looks for a NUL here, like git. */
export const SNIFF = 8000

/** One buffer for every scan on this thread: scanFile is synchronous, so no two scans use it at once. */
let shared: Buffer | undefined
export function sharedScanBuffer(): Buffer {
  return (shared ??= Buffer.allocUnsafe(BUFFER_SIZE))
}

export type ReadFn = (buf: Buffer, offset: number, length: number, position: number) => number

export interface FileKind {
  credential?: CredentialKind
  dotenv: boolean
  codeFile: boolean
  dockerfile: boolean
}

export interface RawFinding {
  rule: RuleId
  line: number
  column: number
  value: string
  /** Byte range of the value in the file, for removing overlapping findings. */
  start: number
  end: number
  allowed: boolean
  /** A documented example value, or a value on a comment line that calls itself an example: never a failure. */
  example?: boolean
}

export interface FileScan {
  findings: RawFinding[]
  bytes: number
  binary: boolean
}

const prefilter = new Prefilter(ANCHORS)
let generations = 0
const allowBytes = Buffer.from(ALLOW_MARKER, 'latin1')
const allowNextBytes = Buffer.from(ALLOW_NEXT_LINE_MARKER, 'latin1')

/**
 * Reads the file through `read` into `buf` (BUFFER_SIZE bytes) and returns its findings. Synchronous, so that
 * one buffer can serve every file. Reading stops at the first short read or at `size` bytes.
 */
export function scanFile(read: ReadFn, buf: Buffer, size: number, kind: FileKind): FileScan {
  const findings: RawFinding[] = []
  // buf[0] is a virtual newline before the file: line 1 starts at buf[1], and rules see a boundary before byte 0.
  buf[0] = 10
  let end = 1
  let base = -1 // file offset of buf[0]
  let lineBase = 0 // newlines before buf[0], the virtual one included
  let lastNewline = -1 // file offset of the last newline before buf[0]
  let processed = 1
  let filePos = 0
  let first = true

  const ctx: DetectContext = {
    buf,
    end,
    codeFile: kind.codeFile,
    dotenv: kind.dotenv,
    lastKeyStart: -1,
    generation: ++generations,
    emit(rule, start, stop, value) {
      const finding: RawFinding = { rule, line: 0, column: 0, value, start: base + start, end: base + stop, allowed: isAllowed(buf, start, ctx.end) }
      if (isDocumentedExample(value) || onExampleLine(buf, start, ctx.end)) finding.example = true
      findings.push(finding)
      pending.push({ finding, at: start })
    }
  }
  // Lines and columns are worked out once per chunk for all its findings (in one pass over its newlines), so a
  // file with many findings on one long line costs no more than one with a single finding.
  let pending: Array<{ finding: RawFinding; at: number }> = []
  const place = (): void => {
    if (pending.length === 0) return
    pending.sort((a, b) => a.at - b.at)
    let line = lineBase
    let lineStart = -1 // buffer index of the newline before the current position, -1: before buf[0]
    let next = buf.indexOf(10)
    for (const p of pending) {
      while (next >= 0 && next < p.at) {
        line++
        lineStart = next
        next = buf.indexOf(10, next + 1)
      }
      p.finding.line = line
      if (lineStart < 0) p.finding.column = base + p.at - lastNewline
      // Columns count UTF-16 code units (SARIF's default) when the line start is at hand.
      else p.finding.column = p.at - lineStart > 65536 ? p.at - lineStart : buf.toString('utf8', lineStart + 1, p.at).length + 1
    }
    pending = []
  }

  for (;;) {
    const want = buf.length - end
    const n = want > 0 ? read(buf, end, want, filePos) : 0
    filePos += n
    end += n
    ctx.end = end
    const eof = n < want || filePos >= size
    if (first) {
      first = false
      const sniffEnd = Math.min(end, 1 + SNIFF)
      if (kind.credential === undefined && buf.subarray(1, sniffEnd).includes(0)) return { findings: [], bytes: filePos, binary: true }
      if (kind.credential !== undefined) scanCredentialFile(kind.credential, buf.toString('latin1', 1, end), 1, ctx.emit)
      if (kind.dockerfile) scanDockerfile(buf.toString('latin1', 1, end), 1, ctx.emit)
      place()
    }
    const limit = eof ? end : end - LOOKAHEAD
    ctx.lastKeyStart = -1
    ctx.generation = ++generations
    prefilter.scan(buf, processed, limit, end, (id, pos) => HANDLERS[id]?.(ctx, pos))
    place()
    if (eof) break
    const keepFrom = limit - LOOKBACK
    for (let i = buf.indexOf(10); i >= 0 && i < keepFrom; i = buf.indexOf(10, i + 1)) {
      lineBase++
      lastNewline = base + i
    }
    buf.copy(buf, 0, keepFrom, end)
    end -= keepFrom
    base += keepFrom
    processed = limit - keepFrom
  }
  return { findings: dedupe(findings), bytes: filePos, binary: false }
}

/** `sandbox-scan:allow` on the finding's line, or `sandbox-scan:allow-next-line` on the line before it. */
function isAllowed(buf: Buffer, at: number, end: number): boolean {
  const lineStart = lastIndexOfByte(buf, 10, at - 1, Math.max(0, at - LOOKBACK))
  let lineEnd = buf.subarray(at, Math.min(end, at + LOOKAHEAD)).indexOf(10)
  lineEnd = lineEnd < 0 ? Math.min(end, at + LOOKAHEAD) : at + lineEnd
  const from = lineStart < 0 ? Math.max(0, at - LOOKBACK) : lineStart
  // Searches bounded to the line: a long line with many findings must not be searched to its end for each.
  if (buf.subarray(from, lineEnd).indexOf(allowBytes) >= 0) return true
  if (lineStart <= 0) return false
  const prevStart = Math.max(0, lastIndexOfByte(buf, 10, lineStart - 1, Math.max(0, lineStart - LOOKBACK)))
  return buf.subarray(prevStart, lineStart).indexOf(allowNextBytes) >= 0
}

function onExampleLine(buf: Buffer, at: number, end: number): boolean {
  const min = Math.max(0, at - 1024)
  const newline = lastIndexOfByte(buf, 10, at - 1, min)
  const lineStart = newline < 0 ? min : newline + 1
  const after = buf.subarray(at, Math.min(end, at + 1024)).indexOf(10)
  const line = buf.toString('latin1', lineStart, after < 0 ? Math.min(end, at + 1024) : at + after)
  return isExampleLine(line, at - lineStart)
}

/** One finding per secret: where two overlap (a token inside a URL, a key found by two rules), keep the more specific. */
function dedupe(findings: RawFinding[]): RawFinding[] {
  if (findings.length < 2) return findings
  const sorted = [...findings].sort((a, b) => ruleRank(a.rule) - ruleRank(b.rule) || a.start - b.start)
  const kept: RawFinding[] = []
  for (const f of sorted) {
    if (!kept.some(k => f.start < k.end && k.start < f.end)) kept.push(f)
  }
  return kept
}
