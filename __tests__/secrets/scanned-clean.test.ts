/**
 * Files the context scan found clean are hashed, not scanned again, when a layer holds the same bytes under the same
 * kind: the engine is a pure function of both, so the layer's findings are exactly those of a full scan, on one
 * thread and on the pool.
 */
import { createHash } from 'node:crypto'
import { BUFFER_SIZE, type FileKind } from '../../src/secrets/engine.js'
import { scanPooled, type PooledFile } from '../../src/secrets/pooled-file.js'
import { nodeIo, scanContext, scanContextWith, type ScanResult } from '../../src/secrets/scan.js'
import { BATCH_BYTES, openScanPool, type ScanPool } from '../../src/secrets/scan-pool.js'
import { ScannedClean } from '../../src/secrets/scanned-clean.js'
import { imageFileKind, scanLayerTar, type LayerScan } from '../../src/verify/layer-scan.js'
import { bundledScanWorker } from '../support/scan-worker.js'
import { scratchDir } from '../support/scratch.js'
import { tarOf } from '../verify/support.js'
import { TempTree, checksummed } from './fixtures.js'

const text: FileKind = { dotenv: false, codeFile: false, dockerfile: false }
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('base64')
const buffer = Buffer.allocUnsafe(BUFFER_SIZE)

describe('one pooled file', () => {
  const clean = Buffer.from('nothing secret here\n')
  const secret = Buffer.from(`token: ${checksummed('ghp_')}\n`)
  const binary = Buffer.from('\u0000\u0001binary')
  it.each<[string, Buffer, Omit<PooledFile, 'kind'>, { findings: number; digest?: string; known?: true }]>([
    ['clean, digest asked: its SHA-256', clean, { digest: true }, { findings: 0, digest: sha256(clean) }],
    ['clean, no digest asked', clean, {}, { findings: 0 }],
    ['a finding: no digest', secret, { digest: true }, { findings: 1 }],
    ['binary: no digest', binary, { digest: true }, { findings: 0 }],
    ['its digest known clean: hashed, not scanned', clean, { known: [sha256(clean)] }, { findings: 0, known: true }],
    ['another digest known: scanned', secret, { known: [sha256(clean)] }, { findings: 1 }]
  ])('%s', (_name, bytes, extras, expected) => {
    const scan = scanPooled([bytes.subarray(0, 5), bytes.subarray(5)], bytes.length, { kind: text, ...extras }, buffer)
    expect({ findings: scan.findings.length, ...(scan.digest ? { digest: scan.digest } : {}), ...(scan.known ? { known: scan.known } : {}) }).toEqual(expected)
  })
})

test('a digest is known only under the same kind and size', () => {
  const clean = new ScannedClean()
  clean.add(text, 20, 'digest-a')
  clean.add(text, 20, 'digest-b')
  clean.add(text, 20, 'digest-a')
  expect(clean.files).toBe(2)
  expect([...(clean.candidates(text, 20) ?? [])]).toEqual(['digest-a', 'digest-b'])
  expect(clean.candidates(text, 21)).toBeUndefined()
  expect(clean.candidates({ ...text, dotenv: true }, 20)).toBeUndefined()
  expect(clean.candidates({ ...text, credential: 'npmrc' }, 20)).toBeUndefined()
})

describe('a layer that copies the context', () => {
  const tree = new TempTree('scanned-clean-')
  // More than a batch of clean text, so that the pool starts its workers.
  const big = 'const value = compute(input) // nothing secret on this line\n'.repeat(Math.ceil((BATCH_BYTES + 4096) / 60))
  const small = 'export const answer = 42\n'
  // Above what the context scan reads whole: scanned a chunk at a time there, its digest taken on the way.
  const huge = 'export function step(state) { return state + 1 } // nothing secret\n'.repeat(80_000)
  // More clean files of one size and kind than are sent with a file to its thread: looked up on the reader's.
  const same = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`app/same/${i}.txt`, `note ${i}\n`]))
  const token = checksummed('npm_')
  let workerUrl: URL
  let layer: Buffer

  beforeAll(async () => {
    workerUrl = await bundledScanWorker()
    tree.write('Dockerfile', 'FROM ghcr.io/openhands/agent-server:1.23.0-python\nCOPY app/ /app/\n')
    tree.write('app/bundle.js', big)
    tree.write('app/huge.js', huge)
    tree.write('app/small.ts', small)
    tree.write('app/config.txt', `//registry.npmjs.org/:_authToken=${token}\n`)
    for (const [name, content] of Object.entries(same)) tree.write(name, content)
    layer = await tarOf({
      'app/bundle.js': big,
      'app/huge.js': huge,
      'app/small.ts': small,
      // The same bytes elsewhere, under the same kind: known.
      'app/copy/small.ts': small,
      // Under another kind (.env): scanned.
      'app/.env': small,
      // A context file with a finding is never known; one changed by a RUN step neither.
      'app/config.txt': `//registry.npmjs.org/:_authToken=${token}\n`,
      'app/small-changed.ts': `${small}const key = '${checksummed('ghp_')}'\n`,
      ...same,
      // The same size and kind as those, other bytes: scanned.
      'app/same/other.txt': `pass ${checksummed('npm_').slice(0, 1)}\n`
    })
  })
  afterAll(() => tree.remove())

  const read = (options: { clean?: ScannedClean; pool?: ScanPool }): Promise<LayerScan> => {
    const chunks = (async function* () {
      for (let at = 0; at < layer.length; at += 65536) yield layer.subarray(at, at + 65536)
    })()
    return scanLayerTar(chunks, { spoolDir: scratchDir('scanned-clean-layer-'), ...options })
  }

  it.each([
    ['on this thread', false],
    ['on the pool', true]
  ])('%s: the same findings as a full scan, the copies only hashed', async (_name, pooled) => {
    const pool = pooled ? (openScanPool(workerUrl, 2) as ScanPool) : undefined
    try {
      const options = { context: tree.root, dockerfile: tree.path('Dockerfile'), remember: true }
      const context: ScanResult = pool ? await scanContextWith(options, nodeIo, pool) : await scanContext(options)
      expect(context.findings.map(finding => finding.file)).toEqual(['app/config.txt'])
      // The Dockerfile, the bundle, the huge one, small.ts and the six notes; not config.txt.
      expect(context.clean?.files).toBe(10)
      const full = await read({})
      const { known, ...rest } = await read({ clean: context.clean, ...(pool ? { pool } : {}) })
      expect(rest).toEqual(full)
      expect(full.findings.map(finding => finding.path)).toEqual(['/app/config.txt', '/app/small-changed.ts'])
      expect(known).toEqual({ files: 10, bytes: Buffer.byteLength(big) + huge.length + 2 * Buffer.byteLength(small) + 6 * 'note 0\n'.length })
      expect(huge.length).toBeGreaterThan(4 << 20)
      if (pool) expect(pool.threads).toBe(2)
    } finally {
      await pool?.close()
    }
  })

  it('a context scan that is not asked to remember keeps nothing', async () => {
    const context = await scanContext({ context: tree.root, dockerfile: tree.path('Dockerfile') })
    expect(context.clean).toBeUndefined()
    expect(imageFileKind('/app/.env').dotenv).toBe(true)
  })
})
