// Streaming with bounded memory, chunk boundaries, binary detection, and linear-time rules.
import { closeSync, openSync, readSync, writeSync } from 'node:fs'
import { CREDENTIAL_PATTERNS } from '../../src/secrets/credential-files.js'
import { ANCHORS, RULE_PATTERNS } from '../../src/secrets/detectors.js'
import { BUFFER_SIZE, CHUNK, scanFile, type FileKind } from '../../src/secrets/engine.js'
import { Prefilter } from '../../src/secrets/prefilter.js'
import { scanContext } from '../../src/secrets/scan.js'
import { BASE64, TempTree, checksummed, random } from './fixtures.js'

const plain: FileKind = { dotenv: false, codeFile: false, dockerfile: false }

/** scanFile over an in-memory file. */
function scanText(content: Buffer | string, kind: FileKind = plain) {
  const data = typeof content === 'string' ? Buffer.from(content, 'latin1') : content
  const buf = Buffer.alloc(BUFFER_SIZE)
  return scanFile((b, offset, length, position) => data.copy(b, offset, position, Math.min(data.length, position + length)), buf, data.length, kind)
}

describe('streaming', () => {
  test.each([CHUNK - 20, CHUNK - 1, CHUNK, CHUNK + 5, 3 * CHUNK - 17])('a token straddling a chunk boundary at %i is found once', at => {
    const token = checksummed('ghp_')
    const data = Buffer.alloc(at + 200, 'a')
    data.write(` ${token} `, at - 1, 'latin1')
    const scan = scanText(data)
    expect(scan.findings.map(f => [f.rule, f.line, f.column])).toEqual([['github-classic-token', 1, at + 1]])
  })

  test('a 50 MB line without a newline is scanned in bounded memory, with the token near its end found', () => {
    const tree = new TempTree()
    try {
      const token = checksummed('npm_')
      const path = tree.write('big.min.js', '')
      const fd = openSync(path, 'w')
      const piece = Buffer.from('var a=function(b){return b+1};'.repeat(35000)) // ~1 MB
      for (let i = 0; i < 50; i++) writeSync(fd, piece)
      writeSync(fd, `var t="${token}";`)
      closeSync(fd)
      const before = process.memoryUsage().rss
      const data = { fd: openSync(path, 'r') }
      const buf = Buffer.alloc(BUFFER_SIZE)
      const scan = scanFile((b, o, l, p) => readSync(data.fd, b, o, l, p), buf, Infinity, plain)
      closeSync(data.fd)
      expect(scan.findings.map(f => [f.rule, f.line])).toEqual([['npm-access-token', 1]])
      expect(scan.findings[0]?.column).toBe(50 * piece.length + 8)
      expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024)
    } finally {
      tree.remove()
    }
  })

  test('a 2 GB sparse file is streamed, not loaded, and a token after the hole is found', async () => {
    const tree = new TempTree()
    try {
      const path = tree.write('huge.log', '')
      const fd = openSync(path, 'w')
      writeSync(fd, 'log start\n'.repeat(1000))
      const token = checksummed('ghp_')
      // A hole reads as NUL bytes; past the first 8000 bytes they do not make the file binary.
      writeSync(fd, `\ntoken ${token}\n`, 2 ** 31)
      closeSync(fd)
      const before = process.memoryUsage().rss
      const result = await scanContext({ context: tree.root, dockerfile: tree.write('Dockerfile', 'FROM scratch\n') })
      expect(result.findings.map(f => [f.file, f.rule, f.line])).toEqual([['huge.log', 'github-classic-token', 1002]])
      expect(result.bytesScanned).toBeGreaterThan(2 ** 31)
      expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024)
    } finally {
      tree.remove()
    }
  }, 120000)

  test('lines and columns count from 1, columns in UTF-16 units', () => {
    const token = checksummed('ghp_')
    const scan = scanText(Buffer.from(`first\r\nsecond\n\u00e9\u00e9 ${token}\n`, 'utf8'))
    expect(scan.findings.map(f => [f.line, f.column])).toEqual([[3, 4]])
  })
})

describe('binary files', () => {
  test('a NUL byte in the first 8000 bytes skips the file', () => {
    const scan = scanText(Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0]), Buffer.from(` ${checksummed('ghp_')}`)]))
    expect(scan.binary).toBe(true)
  })

  test('credential files are read whatever they contain', () => {
    const token = checksummed('npm_')
    const scan = scanText(Buffer.concat([Buffer.from([0, 1, 2, 10]), Buffer.from(`//registry.npmjs.org/:_authToken=${token}\n`)]), {
      ...plain,
      credential: 'npmrc'
    })
    expect(scan.binary).toBe(false)
    expect(scan.findings.map(f => [f.rule, f.line])).toEqual([['npm-access-token', 2]])
  })
})

/**
 * Repetition must be bounded and never nested (an optional `?` group is not repetition): then no input can make a
 * pattern backtrack badly.
 */
function unboundedOrNested(source: string): string | undefined {
  const groups: boolean[] = [] // per open group: does it contain a quantifier?
  let lastWasGroupWithQuantifier = false
  for (let i = 0; i < source.length; i++) {
    const c = source[i]
    if (c === '\\') {
      i++
      lastWasGroupWithQuantifier = false
      continue
    }
    if (c === '[') {
      while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1
      lastWasGroupWithQuantifier = false
      continue
    }
    if (c === '(') {
      groups.push(false)
      continue
    }
    if (c === ')') {
      lastWasGroupWithQuantifier = groups.pop() === true
      if (lastWasGroupWithQuantifier && groups.length > 0) groups[groups.length - 1] = true
      continue
    }
    if (c === '?' && source[i - 1] !== '(') {
      lastWasGroupWithQuantifier = false
      continue
    }
    const isQuantifier = c === '*' || c === '+' || c === '{'
    if (isQuantifier) {
      if (c === '*' || c === '+') return `unbounded '${c}' at ${i}`
      if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i))
        if (m === null) continue
        if (m[2] !== undefined && m[3] === '') return `unbounded '{n,}' at ${i}`
        i += m[0].length - 1
      }
      if (lastWasGroupWithQuantifier) return `nested quantifier at ${i}`
      if (groups.length > 0) groups[groups.length - 1] = true
    }
    lastWasGroupWithQuantifier = false
  }
  return undefined
}

describe('linear time', () => {
  test.each([...RULE_PATTERNS, ...CREDENTIAL_PATTERNS].map(re => [re.source, re]))('%s has only bounded, unnested repetition', (_s, re) => {
    expect(unboundedOrNested(re.source)).toBeUndefined()
  })

  test('the checker itself catches catastrophic patterns', () => {
    expect(unboundedOrNested('(a+)+b')).toBeDefined()
    expect(unboundedOrNested('([a-z]{1,5}){1,9}')).toBeDefined()
    expect(unboundedOrNested('x[+*]{1,3}')).toBeUndefined()
  })

  const MB = 1 << 20
  const repeat = (unit: string): string => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB)
  const inputs: Array<[string, string]> = [
    ['a', repeat('a')],
    ['=', repeat('=')],
    ['base64 alphabet', repeat(BASE64 + '=')],
    ['anchors back to back', repeat(ANCHORS.map(a => a.text).join(''))],
    ['keyword assignments', repeat('password=token:secret="')],
    ['URL userinfo', repeat('a://b:c@')],
    ['PEM headers', repeat('-----BEGIN PRIVATE KEY-----\n')],
    ['token bodies', repeat(`ghp_${random(36)}`)]
  ]

  // Quadratic behaviour would take minutes on these inputs; the bound is generous so that a loaded CI machine passes.
  test.each(inputs)('1 MB of %s through every rule completes in seconds', (_name, text) => {
    const started = performance.now()
    for (const kind of [plain, { ...plain, dotenv: true, credential: 'kubeconfig' as const }]) scanText(text, kind)
    expect(performance.now() - started).toBeLessThan(5000)
  })

  test('the prefilter finds every anchor, in either case where the anchor allows it', () => {
    const filter = new Prefilter([
      { id: 0, text: 'token', caseInsensitive: true },
      { id: 1, text: 'ghp_' },
      { id: 2, text: '://', before: 'ps' }
    ])
    const text = Buffer.from('xTOKENx ghp_ GHP_ https://a http://b ftp://c tOkEn')
    const hits: Array<[number, number]> = []
    filter.scan(text, 0, text.length, text.length, (id, pos) => hits.push([id, pos]))
    expect(hits.sort((a, b) => a[1] - b[1])).toEqual([
      [0, 1],
      [1, 8],
      [2, 23],
      [2, 32],
      [2, 40],
      [0, 45]
    ])
  })
})
