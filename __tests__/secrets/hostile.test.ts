// Hostile contexts: symlink loops and links out, FIFOs and sockets, unreadable files, non-UTF-8 names; and
// adversarial file contents against every rule family.
import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { BUFFER_SIZE, scanFile, type FileKind } from '../../src/secrets/engine.js'
import { FAMILIES } from '../../src/secrets/rules/index.js'
import type { Family } from '../../src/secrets/rules/types.js'
import { toSarif } from '../../src/secrets/sarif.js'
import { nodeIo, scanContext, scanContextWith, type ScanIo } from '../../src/secrets/scan.js'
import { openScanPool, type ScanPool } from '../../src/secrets/scan-pool.js'
import { bundledScanWorker } from '../support/scan-worker.js'
import { BASE64, TempTree, checksummed } from './fixtures.js'

const tree = new TempTree()
const outside = new TempTree('secrets-outside-')
let server: Server | undefined

beforeAll(async () => {
  tree.write('Dockerfile', 'FROM scratch\n')
  tree.write('real/secret.txt', `TOKEN=${checksummed('ghp_')}\n`)
  outside.write('leak.txt', `TOKEN=${checksummed('ghp_')}\n`)
  symlinkSync('b', tree.path('a'))
  symlinkSync('a', tree.path('b'))
  symlinkSync('..', tree.path('up'))
  symlinkSync('..', tree.path('real/top')) // the context root itself: inside, silently fine
  symlinkSync('.', tree.path('real/self'))
  symlinkSync('secret.txt', tree.path('real/alias.txt'))
  symlinkSync(outside.path('leak.txt'), tree.path('leak-link.txt'))
  symlinkSync(outside.root, tree.path('outside-dir'))
  execFileSync('mkfifo', [tree.path('pipe')])
  mkdirSync(tree.path('sock'))
  const s = createServer()
  server = s
  await new Promise<void>(ok => s.listen(tree.path('sock/s.sock'), ok))
  // A name that is not UTF-8: "caf\xe9.txt" as Latin-1 bytes.
  writeFileSync(Buffer.concat([Buffer.from(tree.path('caf')), Buffer.from([0xe9]), Buffer.from('.txt')]), `TOKEN=${checksummed('ghp_')}\n`)
})

afterAll(async () => {
  await new Promise<void>(ok => (server === undefined ? ok() : server.close(() => ok())))
  tree.remove()
  outside.remove()
})

test('loops end, links are not followed, special files are skipped without blocking', async () => {
  const result = await scanContext({ context: tree.root, dockerfile: tree.path('Dockerfile') })
  expect(result.findings.map(f => f.file).sort()).toEqual(['caf\\xe9.txt', 'real/secret.txt'])
  expect(result.skipped).toEqual(
    expect.arrayContaining([
      { file: 'a', reason: 'symlink loop, not followed' },
      { file: 'b', reason: 'symlink loop, not followed' },
      { file: 'leak-link.txt', reason: 'symlink to outside the context, not followed' },
      { file: 'outside-dir', reason: 'symlink to outside the context, not followed' },
      { file: 'up', reason: 'symlink to outside the context, not followed' },
      { file: 'pipe', reason: 'fifo: not a regular file' },
      { file: 'sock/s.sock', reason: 'socket: not a regular file' }
    ])
  )
  expect(result.warnings).toEqual([])
}, 10000)

test('a non-UTF-8 file name is opened and reported with its bytes escaped; SARIF percent-encodes them', async () => {
  const result = await scanContext({ context: tree.root, dockerfile: tree.path('Dockerfile') })
  const finding = result.findings.find(f => f.file.startsWith('caf'))
  expect(finding?.file).toBe('caf\\xe9.txt')
  expect(JSON.stringify(toSarif(result, '1.0.0'))).toContain('"uri":"caf%E9.txt"')
})

test('an unreadable file is named in a warning and the scan goes on', async () => {
  // Root reads anything, so the permission error is simulated at the fs boundary.
  const io: ScanIo = {
    ...nodeIo,
    open: path => {
      if (String(path).endsWith('real/secret.txt')) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })
      return nodeIo.open(path)
    }
  }
  const result = await scanContextWith({ context: tree.root, dockerfile: tree.path('Dockerfile') }, io)
  expect(result.warnings).toEqual(['Could not read real/secret.txt: EACCES; it was not scanned'])
  expect(result.findings.map(f => f.file)).toEqual(['caf\\xe9.txt'])
})

test('on the scan pool (the bundled action): the same result, with a file that cannot be read and one too big to send', async () => {
  const big = tree.write('real/big.log', `${'x'.repeat(5 << 20)}\nTOKEN=${checksummed('ghp_')}\n`)
  const flaky = tree.write('real/flaky.txt', `TOKEN=${checksummed('ghp_')}\n`)
  // More than a batch of text, so that the workers start (a smaller context is scanned on the calling thread).
  const filler = tree.write('real/filler.txt', 'nothing to find on this line\n'.repeat(60_000))
  // A binary small enough to send: told by its first read, and not read whole.
  const binary = tree.write('real/lib.so', Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0]), Buffer.alloc(3 << 20, 1)]))
  const failing = new Set<number>()
  const binaryFds = new Set<number>()
  let binaryBytesRead = 0
  const io: ScanIo = {
    ...nodeIo,
    open: path => {
      const fd = nodeIo.open(path)
      if (String(path) === flaky) failing.add(fd)
      if (String(path) === binary) binaryFds.add(fd)
      return fd
    },
    read: (fd, buffer, offset, length, position) => {
      if (failing.has(fd)) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' })
      const got = nodeIo.read(fd, buffer, offset, length, position)
      if (binaryFds.has(fd)) binaryBytesRead += got
      return got
    },
    close: fd => {
      failing.delete(fd)
      binaryFds.delete(fd)
      nodeIo.close(fd)
    }
  }
  try {
    const options = { context: tree.root, dockerfile: tree.path('Dockerfile') }
    const alone = await scanContextWith(options, io)
    const pool = openScanPool(await bundledScanWorker(), 2) as ScanPool
    try {
      binaryBytesRead = 0
      expect(await scanContextWith(options, io, pool)).toEqual(alone)
      expect(pool.threads).toBe(2)
      expect(binaryBytesRead).toBeLessThan(2 << 20)
      expect(alone.skipped).toContainEqual({ file: 'real/lib.so', reason: 'binary (NUL byte in the first 8000 bytes)' })
    } finally {
      await pool.close()
    }
    expect(alone.findings.map(f => f.file)).toEqual(['caf\\xe9.txt', 'real/big.log', 'real/secret.txt'])
    expect(alone.warnings).toEqual(['Could not read real/flaky.txt: EIO; it was not fully scanned'])
  } finally {
    rmSync(big)
    rmSync(flaky)
    rmSync(filler)
    rmSync(binary)
  }
}, 20000)

test('an unlistable folder is named in a warning', async () => {
  const io: ScanIo = {
    ...nodeIo,
    readdir: path => (String(path).endsWith('/real') ? Promise.reject(Object.assign(new Error('denied'), { code: 'EACCES' })) : nodeIo.readdir(path))
  }
  const result = await scanContextWith({ context: tree.root, dockerfile: tree.path('Dockerfile') }, io)
  expect(result.warnings).toEqual(['Could not list real: EACCES; its files were not scanned'])
})

test('a missing context or Dockerfile is a user error that says what to set', async () => {
  await expect(scanContext({ context: tree.path('nope'), dockerfile: tree.path('Dockerfile') })).rejects.toThrow(/Build context .*nope.* not found.*'context'/)
  await expect(scanContext({ context: tree.root, dockerfile: tree.path('Nope.Dockerfile') })).rejects.toThrow(/Dockerfile .* not found.*'file'/)
})

// Adversarial inputs against every family's rules: its anchors back to back, each anchor followed by a megabyte
// of its body alphabet with no terminator, and anchors interleaved with separators. Quadratic work would take
// minutes here; the bound is generous for a loaded CI machine.
describe('adversarial inputs per rule family', () => {
  const MB = 1 << 20
  const fill = (unit: string, size = MB): string => unit.repeat(Math.ceil(size / Math.max(1, unit.length))).slice(0, size)
  const kinds: FileKind[] = [
    { dotenv: false, codeFile: false, dockerfile: false },
    { dotenv: true, codeFile: true, dockerfile: false }
  ]
  const scan = (text: string): number => {
    const data = Buffer.from(text, 'latin1')
    const buf = Buffer.alloc(BUFFER_SIZE)
    const started = performance.now()
    for (const kind of kinds) scanFile((b, o, l, p) => data.copy(b, o, p, Math.min(data.length, p + l)), buf, data.length, kind)
    return performance.now() - started
  }
  const texts = (family: Family): string[] => [
    ...(family.tokens ?? []).flatMap(t => t.anchors),
    ...(family.anchors ?? []).map(a => a.text),
    ...(family.keywords ?? [])
  ]

  test.each(FAMILIES.filter(f => texts(f).length > 0).map(f => [f.name, f] as const))('%s', (_name, family) => {
    const anchors = texts(family)
    const inputs = [
      fill(anchors.join('')),
      fill(anchors.map(a => `${a}=`).join('')),
      fill(anchors.map(a => `${a}.`).join('')),
      ...anchors.slice(0, 4).map(a => a + fill('aB3_-', MB / 4)),
      ...anchors.slice(0, 4).map(a => a + fill(`${BASE64}=.`, MB / 4))
    ]
    let worst = 0
    for (const text of inputs) worst = Math.max(worst, scan(text))
    expect(worst).toBeLessThan(5000)
  })
})
