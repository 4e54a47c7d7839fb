/**
 * A synchronous tar reader for the layer scan: chunks go in, and each entry's header and data (slices of the chunks,
 * never copied) come out through plain calls. A layer of 20k small files read through tar-stream's per-entry
 * streams spent more time in streams and promises than in the secret scan itself; this reads the same headers the
 * same way (ustar prefix, GNU long names, PAX path and size, base-256 numbers, the checksum) and fails on what
 * tar-stream fails on, with its messages.
 */

export type TarType =
  | 'file'
  | 'link'
  | 'symlink'
  | 'character-device'
  | 'block-device'
  | 'directory'
  | 'fifo'
  | 'contiguous-file'
  | 'pax-header'
  | 'pax-global-header'
  | 'gnu-long-link-path'
  | 'gnu-long-path'

export interface TarHeader {
  name: string
  /** null: a type flag tar does not define (its data is still skipped by its size). */
  type: TarType | null
  size: number
  mode: number
  uid: number
  gid: number
  linkname: string | null
}

/** Receives one entry's data, in order, then its end. */
export interface TarEntrySink {
  data(chunk: Buffer): void
  end(): void
}

const BLOCK = 512
/** A PAX or GNU long-name header above this is refused (tar-stream's bound). */
const MAX_LONG_HEADER = 4 * 1024 * 1024

const TYPES: ReadonlyMap<number, TarType> = new Map([
  [0, 'file'],
  [1, 'link'],
  [2, 'symlink'],
  [3, 'character-device'],
  [4, 'block-device'],
  [5, 'directory'],
  [6, 'fifo'],
  [7, 'contiguous-file'],
  [72, 'pax-header'],
  [55, 'pax-global-header'],
  [27, 'gnu-long-link-path'],
  [28, 'gnu-long-path'],
  [30, 'gnu-long-path']
])

type Pax = Record<string, string>

export class TarReader {
  private readonly block = Buffer.alloc(BLOCK)
  private blockHeld = 0
  /** Data bytes of the current entry still to come, then the padding to its block's end. */
  private dataLeft = 0
  private padAfter = 0
  private padLeft = 0
  private sink: TarEntrySink | undefined
  /** A long-name or PAX header's body being gathered. */
  private long: { type: TarType; parts: Buffer[] } | undefined
  private longPath: string | undefined
  private longLinkPath: string | undefined
  private pax: Pax | undefined
  private paxGlobal: Pax | undefined

  /** `onEntry` is called for each entry (long-name and PAX headers applied); its sink, if any, gets the data. */
  constructor(private readonly onEntry: (header: TarHeader) => TarEntrySink | undefined) {}

  write(chunk: Buffer): void {
    let at = 0
    while (at < chunk.length) {
      if (this.dataLeft > 0) {
        const take = Math.min(this.dataLeft, chunk.length - at)
        const part = chunk.subarray(at, at + take)
        at += take
        this.dataLeft -= take
        if (this.long) this.long.parts.push(part)
        else this.sink?.data(part)
        if (this.dataLeft === 0) this.entryDone()
        continue
      }
      if (this.padLeft > 0) {
        const take = Math.min(this.padLeft, chunk.length - at)
        at += take
        this.padLeft -= take
        continue
      }
      if (this.blockHeld === 0 && chunk.length - at >= BLOCK) {
        this.header(chunk.subarray(at, at + BLOCK))
        at += BLOCK
        continue
      }
      const take = Math.min(BLOCK - this.blockHeld, chunk.length - at)
      chunk.copy(this.block, this.blockHeld, at, at + take)
      this.blockHeld += take
      at += take
      if (this.blockHeld === BLOCK) {
        this.blockHeld = 0
        this.header(this.block)
      }
    }
  }

  /** The archive is complete: throws when it stopped inside a header or an entry. */
  end(): void {
    if (this.dataLeft > 0 || this.padLeft > 0 || this.blockHeld > 0) throw new Error('Unexpected end of data')
  }

  private header(block: Buffer): void {
    const header = decodeHeader(block)
    if (!header) return
    if (header.type === 'pax-header' || header.type === 'pax-global-header' || header.type === 'gnu-long-path' || header.type === 'gnu-long-link-path') {
      if (header.size > MAX_LONG_HEADER) throw new Error('Header exceeds max size')
      // An empty one says nothing (tar-stream never reads it either).
      if (!(header.size > 0)) return
      this.long = { type: header.type, parts: [] }
      this.startData(header.size)
      return
    }
    if (this.longPath) header.name = this.longPath
    if (this.longLinkPath) header.linkname = this.longLinkPath
    this.longPath = this.longLinkPath = undefined
    if (this.pax) {
      if (this.pax.path) header.name = this.pax.path
      if (this.pax.linkpath) header.linkname = this.pax.linkpath
      if (this.pax.size) header.size = parseInt(this.pax.size, 10)
      this.pax = undefined
    }
    if (!(header.size >= 0)) throw new Error('Invalid header')
    const sink = this.onEntry(header)
    if (header.size === 0 || header.type === 'directory') {
      sink?.end()
      return
    }
    this.sink = sink
    this.startData(header.size)
  }

  private startData(size: number): void {
    this.dataLeft = size
    this.padAfter = padding(size)
  }

  private entryDone(): void {
    this.padLeft = this.padAfter
    const long = this.long
    if (long) {
      this.long = undefined
      const body = Buffer.concat(long.parts)
      if (long.type === 'gnu-long-path') this.longPath = text(body, 0, body.length)
      else if (long.type === 'gnu-long-link-path') this.longLinkPath = text(body, 0, body.length)
      else if (long.type === 'pax-global-header') this.paxGlobal = decodePax(body)
      else this.pax = { ...this.paxGlobal, ...decodePax(body) }
      return
    }
    const sink = this.sink
    this.sink = undefined
    sink?.end()
  }
}

function padding(size: number): number {
  const over = size & (BLOCK - 1)
  return over === 0 ? 0 : BLOCK - over
}

/** A header block, or undefined for a block of zeros (the end-of-archive marker). Throws on a bad checksum or format. */
export function decodeHeader(block: Buffer): TarHeader | undefined {
  let sum = 8 * 32
  for (let i = 0; i < 148; i++) sum += block[i] as number
  for (let i = 156; i < BLOCK; i++) sum += block[i] as number
  if (sum === 8 * 32) return undefined
  if (sum !== octal(block, 148, 8)) throw new Error('Invalid tar header. Maybe the tar is corrupted or it needs to be gunzipped?')
  const flag = block[156] === 0 ? 0 : (block[156] as number) - 48
  let name = text(block, 0, 100)
  const magic = block.toString('latin1', 257, 263)
  if (magic === 'ustar\0') {
    if (block[345]) name = `${text(block, 345, 155)}/${name}`
  } else if (!(magic === 'ustar ' && block[263] === 0x20 && block[264] === 0)) {
    throw new Error('Invalid tar header: unknown format.')
  }
  // Old tars mark a folder by a trailing slash; tar-stream reads it as a file (it types the entry first), and so
  // does this: a layer's results stay what they were.
  return {
    name,
    type: TYPES.get(flag) ?? null,
    size: octal(block, 124, 12) ?? NaN,
    mode: octal(block, 100, 8) ?? 0,
    uid: octal(block, 108, 8) ?? 0,
    gid: octal(block, 116, 8) ?? 0,
    linkname: block[157] === 0 ? null : text(block, 157, 100)
  }
}

/** A NUL-terminated UTF-8 field. */
function text(block: Buffer, offset: number, length: number): string {
  const nul = block.indexOf(0, offset)
  return block.toString('utf8', offset, nul < 0 || nul > offset + length ? offset + length : nul)
}

/** A numeric field: octal digits (leading spaces and NULs skipped, ended by a space), or base-256 when its high bit is set. */
function octal(block: Buffer, offset: number, length: number): number | null {
  const end = offset + length
  if ((block[offset] as number) & 0x80) return base256(block, offset, end)
  let at = offset
  while (at < end && block[at] === 32) at++
  let stop = at
  while (stop < end && block[stop] !== 32) stop++
  while (at < stop && block[at] === 0) at++
  if (stop === at) return 0
  // Digits read here, as parseInt reads them (up to the first non-digit); anything odd goes to parseInt itself.
  let value = 0
  let digits = 0
  for (let i = at; i < stop; i++, digits++) {
    const digit = (block[i] as number) - 48
    if (digit < 0 || digit > 7) break
    value = value * 8 + digit
  }
  return digits > 0 ? value : parseInt(block.toString('utf8', at, stop), 8)
}

function base256(block: Buffer, offset: number, end: number): number | null {
  const positive = block[offset] === 0x80
  if (!positive && block[offset] !== 0xff) return null
  let sum = 0
  for (let i = offset + 1; i < end; i++) sum = sum * 256 + (positive ? (block[i] as number) : 0xff - (block[i] as number))
  return positive ? sum : -sum
}

/** PAX records: `<length> <key>=<value>\n`, as many as parse. */
export function decodePax(body: Buffer): Pax {
  const result: Pax = {}
  let rest = body
  while (rest.length > 0) {
    let space = 0
    while (space < rest.length && rest[space] !== 32) space++
    const length = parseInt(rest.toString('utf8', 0, space), 10)
    if (!length) return result
    const record = rest.toString('utf8', space + 1, length - 1)
    const equals = record.indexOf('=')
    if (equals === -1) return result
    result[record.slice(0, equals)] = record.slice(equals + 1)
    rest = rest.subarray(length)
  }
  return result
}
