// The literal prefilter: finds every anchor (a rule's fixed text such as `ghp_`, `BEGIN `, `password`) in one
// pass so that a rule's checks run only where its anchor occurs.
//
// Algorithm: Wu-Manber with a window of m = 4 bytes and 2-byte blocks. A 64 KiB shift table says how far the
// window may move when its last two bytes are a given pair; pairs that end an anchor prefix get shift 0 and are
// then compared in full. Each step is a dependent chain of loads, so four independent lanes walk four quarters
// of a block at once, which lets the CPU overlap them (about 1.6x over one lane on this machine). It is plain
// JavaScript over a Uint8Array (WebAssembly measured only ~10% faster for this loop; worker threads would not
// survive bundling into one ESM file reliably).

const M = 4
const BLOCK = 1 << 16

export interface AnchorSpec {
  /** The literal text; at least 4 bytes unless `before` is given. */
  text: string
  /** Match ASCII letters in either case. */
  caseInsensitive?: boolean
  /** For anchors shorter than 4 bytes: the bytes allowed right before them (the pattern becomes byte + text). */
  before?: string
  /** Reported back to the caller with each occurrence. */
  id: number
}

interface Pattern {
  bytes: Uint8Array // lower-cased when caseInsensitive
  ci: boolean
  id: number
  offset: number // where the anchor text starts within bytes
}

const FOLD = new Uint8Array(256)
for (let i = 0; i < 256; i++) FOLD[i] = i >= 65 && i <= 90 ? i + 32 : i

function caseVariants(byte: number, ci: boolean): number[] {
  if (!ci) return [byte]
  const lower = FOLD[byte] ?? byte
  return lower >= 97 && lower <= 122 ? [lower, lower - 32] : [byte]
}

export class Prefilter {
  private readonly shift = new Uint8Array(65536).fill(M - 1)
  private readonly heads: Array<Pattern[] | undefined> = new Array<Pattern[] | undefined>(65536)
  private readonly candidates = new Int32Array(BLOCK + 8)
  readonly maxLength: number

  constructor(anchors: readonly AnchorSpec[]) {
    let maxLength = 0
    for (const anchor of anchors) {
      const text = Buffer.from(anchor.text, 'latin1')
      const ci = anchor.caseInsensitive === true
      const prefixes = anchor.before === undefined ? [-1] : Array.from(Buffer.from(anchor.before, 'latin1'))
      for (const prefix of prefixes) {
        const raw = prefix < 0 ? text : Buffer.concat([Buffer.from([prefix]), text])
        if (raw.length < M) throw new Error(`anchor '${anchor.text}' is shorter than ${M} bytes; give it 'before' bytes`)
        const bytes = ci ? raw.map(b => FOLD[b] ?? b) : raw
        maxLength = Math.max(maxLength, bytes.length)
        this.add({ bytes, ci, id: anchor.id, offset: prefix < 0 ? 0 : 1 })
      }
    }
    this.maxLength = maxLength
  }

  private add(pattern: Pattern): void {
    const b = pattern.bytes
    const variants = [0, 1, 2, 3].map(j => caseVariants(b[j] ?? 0, pattern.ci))
    for (let j = 1; j < M; j++) {
      const s = M - 1 - j
      for (const x of variants[j - 1] ?? []) {
        for (const y of variants[j] ?? []) {
          const h = (x << 8) | y
          if ((this.shift[h] ?? 0) > s) this.shift[h] = s
        }
      }
    }
    for (const x of variants[0] ?? []) {
      for (const y of variants[1] ?? []) {
        const h = (x << 8) | y
        const list = this.heads[h] ?? []
        list.push(pattern)
        this.heads[h] = list
      }
    }
  }

  /**
   * Calls `onMatch(id, position)` for every anchor whose pattern starts in [from, to). Bytes up to
   * `to + maxLength` are read when they exist (below `end`). Occurrences come in no particular order.
   */
  scan(buf: Uint8Array, from: number, to: number, end: number, onMatch: (id: number, position: number) => void): void {
    for (let blockStart = from; blockStart < to; blockStart += BLOCK) {
      const blockEnd = Math.min(blockStart + BLOCK, to)
      const n = this.lanes(buf, blockStart, blockEnd, end)
      const out = this.candidates
      for (let k = 0; k < n; k++) this.verify(buf, (out[k] ?? 0) - (M - 1), end, onMatch)
    }
  }

  /** Window-end positions whose last byte pair ends an anchor prefix, for windows starting in [from, to). */
  private lanes(buf: Uint8Array, from: number, to: number, end: number): number {
    const shift = this.shift
    const out = this.candidates
    const last = Math.min(to + M - 1, end) // exclusive bound for window-end positions
    const q = ((to - from) / 4) | 0
    let n = 0
    let i0 = from + M - 1
    let i1 = from + q + M - 1
    let i2 = from + 2 * q + M - 1
    let i3 = from + 3 * q + M - 1
    const e0 = Math.min(i1, last)
    const e1 = Math.min(i2, last)
    const e2 = Math.min(i3, last)
    const e3 = last
    if (q > 0) {
      while (i0 < e0 && i1 < e1 && i2 < e2 && i3 < e3) {
        const s0 = shift[(buf[i0 - 1]! << 8) | buf[i0]!]!
        const s1 = shift[(buf[i1 - 1]! << 8) | buf[i1]!]!
        const s2 = shift[(buf[i2 - 1]! << 8) | buf[i2]!]!
        const s3 = shift[(buf[i3 - 1]! << 8) | buf[i3]!]!
        if (s0 === 0 || s1 === 0 || s2 === 0 || s3 === 0) {
          if (s0 === 0) out[n++] = i0++
          else i0 += s0
          if (s1 === 0) out[n++] = i1++
          else i1 += s1
          if (s2 === 0) out[n++] = i2++
          else i2 += s2
          if (s3 === 0) out[n++] = i3++
          else i3 += s3
        } else {
          i0 += s0
          i1 += s1
          i2 += s2
          i3 += s3
        }
      }
    }
    n = this.tail(buf, i0, e0, n)
    n = this.tail(buf, i1, e1, n)
    n = this.tail(buf, i2, e2, n)
    return this.tail(buf, i3, e3, n)
  }

  private tail(buf: Uint8Array, start: number, stop: number, n: number): number {
    const shift = this.shift
    const out = this.candidates
    let i = start
    while (i < stop) {
      const s = shift[(buf[i - 1]! << 8) | buf[i]!]!
      if (s === 0) out[n++] = i++
      else i += s
    }
    return n
  }

  private verify(buf: Uint8Array, start: number, end: number, onMatch: (id: number, position: number) => void): void {
    const list = this.heads[(buf[start]! << 8) | buf[start + 1]!]
    if (list === undefined) return
    for (const p of list) {
      const bytes = p.bytes
      const len = bytes.length
      if (start + len > end) continue
      let k = 2
      if (p.ci) {
        while (k < len && FOLD[buf[start + k]!] === bytes[k]) k++
      } else {
        while (k < len && buf[start + k] === bytes[k]) k++
      }
      if (k === len) onMatch(p.id, start + p.offset)
    }
  }
}
