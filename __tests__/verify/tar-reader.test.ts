/**
 * The layer scan's tar reader: exact headers and data for every header form a layer can hold (ustar with a prefix,
 * PAX path and size, GNU long names, base-256 numbers), the same whatever the chunk
 * boundaries, the same as tar-stream's reading of the same bytes, and tar-stream's errors on bad input.
 */
import tar from 'tar-stream'
import { TarReader, decodePax, type TarHeader } from '../../src/verify/tar-reader.js'

interface Read {
  header: Omit<TarHeader, 'type'> & { type: string | null }
  data: string
}

/** Every entry the reader reports, its data joined, the archive fed in chunks of `split` bytes. */
function readAll(archive: Buffer, split = archive.length): Read[] {
  const entries: Read[] = []
  const reader = new TarReader(header => {
    const parts: Buffer[] = []
    const entry: Read = { header: { ...header }, data: '' }
    return {
      data: chunk => void parts.push(chunk),
      end: () => {
        entry.data = Buffer.concat(parts).toString('latin1')
        entries.push(entry)
      }
    }
  })
  for (let at = 0; at < archive.length; at += split) reader.write(archive.subarray(at, at + split))
  reader.end()
  return entries
}

/** The same through tar-stream, for comparison. */
async function readByTarStream(archive: Buffer): Promise<Read[]> {
  const extract = tar.extract()
  const entries: Read[] = []
  const reading = (async () => {
    for await (const entry of extract) {
      const parts: Buffer[] = []
      for await (const chunk of entry) parts.push(chunk as Buffer)
      const h = entry.header
      entries.push({
        header: { name: h.name, type: h.type ?? null, size: h.size ?? 0, mode: h.mode ?? 0, uid: h.uid ?? 0, gid: h.gid ?? 0, linkname: h.linkname ?? null },
        data: Buffer.concat(parts).toString('latin1')
      })
    }
  })()
  extract.end(archive)
  await reading
  return entries
}

async function packed(entries: Array<Partial<tar.Header> & { name: string; data?: string }>): Promise<Buffer> {
  const pack = tar.pack()
  const chunks: Buffer[] = []
  const done = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer)
  })()
  for (const { data, ...header } of entries) {
    await new Promise<void>((resolve, reject) => pack.entry(header, data ?? '', error => (error ? reject(error) : resolve())))
  }
  pack.finalize()
  await done
  return Buffer.concat(chunks)
}

interface Block {
  name: string
  flag?: string
  size?: number
  mode?: number
  uid?: number | 'base256'
  gid?: number
  linkname?: string
  prefix?: string
  format?: 'ustar' | 'gnu' | 'v7'
  /** Raw bytes written over a field (offset, latin1 text), before the checksum. */
  raw?: Array<[number, string]>
}

/** One header block written by hand (the forms tar-stream's packer does not write), with a right checksum. */
function block({ name, flag = '0', size = 0, mode = 0o644, uid = 0, gid = 0, linkname = '', prefix = '', format = 'ustar', raw = [] }: Block): Buffer {
  const b = Buffer.alloc(512)
  const octal = (value: number, at: number, width: number): void => void b.write(`${value.toString(8).padStart(width - 1, '0')}\0`, at, 'latin1')
  b.write(name, 0, 'utf8')
  octal(mode, 100, 8)
  if (uid === 'base256') {
    b[108] = 0x80
    b.writeUIntBE(70_000_000, 108 + 8 - 6, 6)
  } else octal(uid, 108, 8)
  octal(gid, 116, 8)
  octal(size, 124, 12)
  octal(0, 136, 12)
  b.write(flag, 156, 'latin1')
  b.write(linkname, 157, 'utf8')
  if (format === 'ustar') b.write('ustar\u000000', 257, 'latin1')
  if (format === 'gnu') b.write('ustar  \0', 257, 'latin1')
  b.write(prefix, 345, 'utf8')
  for (const [at, text] of raw) b.write(text, at, 'latin1')
  b.fill(32, 148, 156)
  let sum = 0
  for (const byte of b) sum += byte
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1')
  return b
}

/** Data padded to whole blocks. */
function body(text: string): Buffer {
  const data = Buffer.from(text, 'utf8')
  return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)])
}

function pax(records: Record<string, string>): string {
  return Object.entries(records)
    .map(([key, value]) => {
      const line = ` ${key}=${value}\n`
      const bytes = Buffer.byteLength(line)
      let length = bytes + 1
      while (String(length).length + bytes !== length) length++
      return `${length}${line}`
    })
    .join('')
}

const END = Buffer.alloc(1024)
const file = (name: string, data: string, extra: Partial<TarHeader> = {}): Read => ({
  header: { name, type: 'file', size: Buffer.byteLength(data), mode: 0o644, uid: 0, gid: 0, linkname: null, ...extra },
  data
})

const handMade: Array<[string, Buffer, Read[]]> = [
  [
    'a ustar prefix is joined to the name',
    Buffer.concat([block({ name: 'file.txt', prefix: 'usr/share/doc', size: 5 }), body('hello'), END]),
    [file('usr/share/doc/file.txt', 'hello')]
  ],
  [
    'a GNU long name and long link name replace the next header’s',
    Buffer.concat([
      block({ name: '././@LongLink', flag: 'L', size: 251, format: 'gnu' }),
      body(`${'d/'.repeat(125)}x`),
      block({ name: '././@LongLink', flag: 'K', size: 201, format: 'gnu' }),
      body(`${'t/'.repeat(100)}y`),
      block({ name: 'short', flag: '2', linkname: 'short-target', format: 'gnu' }),
      END
    ]),
    [{ header: { name: `${'d/'.repeat(125)}x`, type: 'symlink', size: 0, mode: 0o644, uid: 0, gid: 0, linkname: `${'t/'.repeat(100)}y` }, data: '' }]
  ],
  [
    'a PAX header names the path and size; a global one fills in what the next one leaves out',
    Buffer.concat([
      block({ name: 'pax_global_header', flag: 'g', size: Buffer.byteLength(pax({ path: 'global/ignored', comment: 'x' })) }),
      body(pax({ path: 'global/ignored', comment: 'x' })),
      block({ name: 'PaxHeaders/a', flag: 'x', size: Buffer.byteLength(pax({ path: 'app/é long name.js', size: '3' })) }),
      body(pax({ path: 'app/é long name.js', size: '3' })),
      block({ name: 'app/truncated', size: 0 }),
      body('abc'),
      block({ name: 'PaxHeaders/b', flag: 'x', size: Buffer.byteLength(pax({ comment: 'y' })) }),
      body(pax({ comment: 'y' })),
      block({ name: 'app/next', size: 2 }),
      body('ok'),
      block({ name: 'app/plain', size: 1 }),
      body('z'),
      END
    ]),
    [file('app/é long name.js', 'abc'), file('global/ignored', 'ok'), file('app/plain', 'z')]
  ],
  [
    'a base-256 uid, a hard link, a device, an unknown type flag; a name ending in a slash is still a file (tar-stream’s reading)',
    Buffer.concat([
      block({ name: 'home/big/', uid: 'base256', mode: 0o755 }),
      block({ name: 'usr/bin/b', flag: '1', linkname: 'usr/bin/a', gid: 42 }),
      block({ name: 'dev/null', flag: '3', mode: 0o666 }),
      block({ name: 'odd', flag: 'Z', size: 3 }),
      body('odd'),
      END
    ]),
    [
      { header: { name: 'home/big/', type: 'file', size: 0, mode: 0o755, uid: 70_000_000, gid: 0, linkname: null }, data: '' },
      { header: { name: 'usr/bin/b', type: 'link', size: 0, mode: 0o644, uid: 0, gid: 42, linkname: 'usr/bin/a' }, data: '' },
      { header: { name: 'dev/null', type: 'character-device', size: 0, mode: 0o666, uid: 0, gid: 0, linkname: null }, data: '' },
      { header: { name: 'odd', type: null, size: 3, mode: 0o644, uid: 0, gid: 0, linkname: null }, data: 'odd' }
    ]
  ],
  ['an archive of only its end marker has no entries', END, []],
  [
    'numbers written oddly: leading spaces and NULs, a trailing space, a sign, a stray digit, an empty field',
    Buffer.concat([
      block({
        name: 'a',
        raw: [
          [100, '  0755 \0'],
          [108, '\0\0\u00001750'],
          [116, '-12\0\0\0\0\0']
        ]
      }),
      block({
        name: 'b',
        raw: [
          [100, '0644x12\0'],
          [108, '8\0\0\0\0\0\0\0'],
          [116, '\0\0\0\0\0\0\0\0']
        ]
      }),
      block({
        name: 'c',
        raw: [
          [100, '\t644\0\0\0\0'],
          [108, '1 2\0\0\0\0\0']
        ]
      }),
      END
    ]),
    [
      { header: { name: 'a', type: 'file', size: 0, mode: 0o755, uid: 0o1750, gid: -10, linkname: null }, data: '' },
      { header: { name: 'b', type: 'file', size: 0, mode: 0o644, uid: NaN, gid: 0, linkname: null }, data: '' },
      { header: { name: 'c', type: 'file', size: 0, mode: 0o644, uid: 1, gid: 0, linkname: null }, data: '' }
    ]
  ]
]

describe('TarReader', () => {
  test.each(handMade)('%s', async (_title, archive, expected) => {
    expect(readAll(archive)).toEqual(expected)
    expect(await readByTarStream(archive)).toEqual(expected)
  })

  test('what tar-stream packs reads back exactly, in chunks of any size', async () => {
    const data = 'x'.repeat(512) + 'tail'
    const archive = await packed([
      { name: 'app', type: 'directory', mode: 0o755, uid: 1000, gid: 1000 },
      { name: 'app/a.txt', data: 'alpha\n', mode: 0o600, uid: 1000, gid: 1000 },
      { name: 'app/empty', data: '' },
      { name: 'app/block', data: 'y'.repeat(512) },
      { name: `app/${'n'.repeat(120)}/${'m'.repeat(90)}.js`, data },
      { name: `app/${'p'.repeat(200)}`, data: 'pax-named' },
      { name: 'app/link', type: 'symlink', linkname: 'a.txt' },
      { name: 'app/.wh.gone', data: '' }
    ])
    const expected: Read[] = [
      { header: { name: 'app', type: 'directory', size: 0, mode: 0o755, uid: 1000, gid: 1000, linkname: null }, data: '' },
      file('app/a.txt', 'alpha\n', { mode: 0o600, uid: 1000, gid: 1000 }),
      file('app/empty', ''),
      file('app/block', 'y'.repeat(512)),
      file(`app/${'n'.repeat(120)}/${'m'.repeat(90)}.js`, data),
      file(`app/${'p'.repeat(200)}`, 'pax-named'),
      { header: { name: 'app/link', type: 'symlink', size: 0, mode: 0o644, uid: 0, gid: 0, linkname: 'a.txt' }, data: '' },
      file('app/.wh.gone', '')
    ]
    expect(await readByTarStream(archive)).toEqual(expected)
    for (const split of [1, 7, 511, 512, 513, 4096, archive.length]) expect(readAll(archive, split)).toEqual(expected)
  })

  test.each<[string, Buffer, string]>([
    [
      'a bad checksum',
      Buffer.concat([block({ name: 'a', size: 1 }).fill(65, 0, 1), body('a'), END]),
      'Invalid tar header. Maybe the tar is corrupted or it needs to be gunzipped?'
    ],
    [
      'gzip bytes',
      Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(508, 7)]),
      'Invalid tar header. Maybe the tar is corrupted or it needs to be gunzipped?'
    ],
    ['an unknown format', Buffer.concat([block({ name: 'a', format: 'v7' }), END]), 'Invalid tar header: unknown format.'],
    ['a cut entry', Buffer.concat([block({ name: 'a', size: 600 }), body('a'.repeat(100))]), 'Unexpected end of data'],
    ['a cut header', block({ name: 'a' }).subarray(0, 300), 'Unexpected end of data'],
    ['a PAX header above 4 MiB', Buffer.concat([block({ name: 'p', flag: 'x', size: 4 * 1024 * 1024 + 1 }), END]), 'Header exceeds max size']
  ])('%s fails as tar-stream fails', async (_title, archive, message) => {
    expect(() => readAll(archive)).toThrow(message)
    await expect(readByTarStream(archive)).rejects.toThrow(message)
  })

  test('an entry nobody reads is skipped with its padding', () => {
    const archive = Buffer.concat([block({ name: 'skip', size: 700 }), body('s'.repeat(700)), block({ name: 'keep', size: 2 }), body('ok'), END])
    const seen: string[] = []
    const reader = new TarReader(header => {
      seen.push(header.name)
      return header.name === 'keep' ? { data: chunk => void seen.push(chunk.toString()), end: () => void seen.push('end') } : undefined
    })
    for (let at = 0; at < archive.length; at += 100) reader.write(archive.subarray(at, at + 100))
    reader.end()
    expect(seen).toEqual(['skip', 'keep', 'ok', 'end'])
  })
})

describe('decodePax', () => {
  test.each<[string, Record<string, string>]>([
    ['18 path=a/b/c.txt\n11 size=42\n', { path: 'a/b/c.txt', size: '42' }],
    ['19 linkpath=target\n', { linkpath: 'target' }],
    ['14 key=a=b=cd\n', { key: 'a=b=cd' }],
    ['9 nokey\nrest', {}],
    ['', {}]
  ])('%j', (text, records) => {
    expect(decodePax(Buffer.from(text, 'utf8'))).toEqual(records)
  })
})
