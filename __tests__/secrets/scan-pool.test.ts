/**
 * The scan pool (secret engine on worker threads, the worker bundled from the sources): each file's findings are
 * exactly those of the engine on this thread, in the caller's order, across batch sizes; the bytes in flight are
 * bounded; a failing worker fails every file it holds and every later scan; no worker file, no pool. And the layer
 * scan on the pool reads a layer exactly as on one thread, spooled files included.
 */
import { jest } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { chunkReader } from '../../src/secrets/chunk-reader.js'
import { BUFFER_SIZE, scanFile, type FileKind } from '../../src/secrets/engine.js'
import { BATCH_BYTES, IN_FLIGHT_BYTES, openScanPool, poolSize, ScanPool } from '../../src/secrets/scan-pool.js'
import { imageFileKind, scanLayerTar } from '../../src/verify/layer-scan.js'
import { bundledScanWorker } from '../support/scan-worker.js'
import { scratchDir } from '../support/scratch.js'
import { tarOf } from '../verify/support.js'
import { checksummed, randomSecret } from './fixtures.js'

const filler = (bytes: number): string => 'const value = compute(input) // nothing secret on this line\n'.repeat(Math.ceil(bytes / 60)).slice(0, bytes)

/** Files in the order a layer would list them; the ones with tokens are found by the engine on any thread. */
function files(): Array<{ name: string; text: string }> {
  return [
    { name: 'app/.env', text: `GITHUB_TOKEN=${checksummed('ghp_')}\nDATABASE_PASSWORD=${randomSecret(24)}\n` },
    { name: 'app/src/client.ts', text: `export const token = '${checksummed('npm_')}'\n` },
    { name: 'app/README.md', text: 'Nothing to see.\n' },
    { name: 'app/empty.txt', text: '' },
    // Bigger than a batch: sent alone, the token at its end.
    { name: 'app/dist/bundle.js', text: `${filler(BATCH_BYTES + 4096)}\nconst key = '${checksummed('ghp_')}'\n` },
    { name: 'app/lib/native.node', text: `\u007fELF\u0000\u0000${checksummed('ghp_')}` },
    { name: 'app/src/config.py', text: `API = '${checksummed('ghp_')}'\n` }
  ]
}

/** A file's bytes in uneven chunks, as a tar reader hands them over. */
function chunked(text: string): Buffer[] {
  const bytes = Buffer.from(text)
  const chunks: Buffer[] = []
  for (let at = 0, size = 7; at < bytes.length; at += size, size = size * 3 + 1) chunks.push(bytes.subarray(at, at + size))
  return chunks
}

function onThisThread(text: string, kind: FileKind) {
  return scanFile(chunkReader([Buffer.from(text)]), Buffer.allocUnsafe(BUFFER_SIZE), Buffer.byteLength(text), kind)
}

let workerUrl: URL
beforeAll(async () => {
  workerUrl = await bundledScanWorker()
})

test('the pool size: one worker per core but the reader’s, between one and four', () => {
  expect([1, 2, 3, 4, 8, 64].map(cores => poolSize(cores))).toEqual([1, 1, 2, 3, 4, 4])
})

test('no worker file next to the module (the sources under a test runner): no pool', () => {
  expect(openScanPool(pathToFileURL(path.join(scratchDir('no-worker-'), 'scan-worker.js')))).toBeUndefined()
})

describe.each([1, 2])('a pool of %i worker(s)', size => {
  test('finds in each file exactly what the engine finds on this thread, in the order asked', async () => {
    const pool = openScanPool(workerUrl, size) as ScanPool
    try {
      const asked = files().map(file => {
        const kind = imageFileKind(`/${file.name}`)
        return { file, kind, found: pool.scan(chunked(file.text), Buffer.byteLength(file.text), kind) }
      })
      pool.flush()
      for (const { file, kind, found } of asked)
        expect({ file: file.name, scan: await found }).toEqual({ file: file.name, scan: onThisThread(file.text, kind) })
      // The table cannot pass empty: the engine finds the tokens, and the binary file is one.
      const scans = await Promise.all(asked.map(entry => entry.found))
      expect(scans.map(scan => [scan.findings.length, scan.binary])).toEqual([
        [2, false],
        [1, false],
        [0, false],
        [0, false],
        [1, false],
        [0, true],
        [1, false]
      ])
    } finally {
      await pool.close()
    }
  })
})

test('the bytes in flight are bounded: ready() waits above IN_FLIGHT_BYTES and resolves as the worker catches up', async () => {
  const pool = openScanPool(workerUrl, 1) as ScanPool
  try {
    const text = filler(BATCH_BYTES)
    const found: Array<Promise<unknown>> = []
    expect(pool.ready()).toBeUndefined()
    while (found.length * BATCH_BYTES <= IN_FLIGHT_BYTES) found.push(pool.scan([Buffer.from(text)], text.length, imageFileKind('/app/a.js')))
    const ready = pool.ready()
    expect(ready).toBeInstanceOf(Promise)
    await ready
    expect(pool.ready()).toBeUndefined()
    await Promise.all(found)
  } finally {
    await pool.close()
  }
})

test('a worker that fails fails the files it holds and every later scan, with the reason', async () => {
  const dir = scratchDir('bad-worker-')
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n')
  writeFileSync(
    path.join(dir, 'scan-worker.js'),
    "import { parentPort } from 'node:worker_threads'\nparentPort.on('message', () => { throw new Error('out of luck') })\n"
  )
  const pool = openScanPool(pathToFileURL(path.join(dir, 'scan-worker.js')), 1) as ScanPool
  try {
    // A full batch: it goes to the worker.
    const text = filler(BATCH_BYTES)
    const found = pool.scan([Buffer.from(text)], text.length, imageFileKind('/a.py'))
    await expect(found).rejects.toThrow('a secret scan worker failed: out of luck')
    await expect(pool.scan([Buffer.from('b')], 1, imageFileKind('/b.py'))).rejects.toThrow('out of luck')
  } finally {
    await pool.close()
  }
})

test('an input smaller than one batch is scanned on this thread: no worker starts, the same results', async () => {
  const pool = openScanPool(workerUrl, 2) as ScanPool
  try {
    const small = files().filter(file => Buffer.byteLength(file.text) < BATCH_BYTES / 8)
    const asked = small.map(file => ({ file, kind: imageFileKind(`/${file.name}`) }))
    const found = asked.map(({ file, kind }) => pool.scan(chunked(file.text), Buffer.byteLength(file.text), kind))
    pool.flush()
    expect(await Promise.all(found)).toEqual(asked.map(({ file, kind }) => onThisThread(file.text, kind)))
    expect(pool.threads).toBe(0)
    // The first full batch starts them.
    const text = filler(BATCH_BYTES)
    await pool.scan([Buffer.from(text)], text.length, imageFileKind('/app/b.js'))
    expect(pool.threads).toBe(2)
  } finally {
    await pool.close()
  }
})

test('batch memory comes back from the workers and is filled again: a long read allocates no new batch', async () => {
  const pool = openScanPool(workerUrl, 1) as ScanPool
  const bytes = Buffer.from(filler(BATCH_BYTES))
  const allocated = jest.spyOn(Buffer, 'allocUnsafeSlow')
  try {
    for (let batch = 0; batch < 10; batch++) await pool.scan([bytes], bytes.length, imageFileKind('/app/a.js'))
    // One batch in flight at a time here: its buffer is the one that came back.
    expect(allocated.mock.calls.filter(([size]) => size === BATCH_BYTES)).toHaveLength(1)
  } finally {
    allocated.mockRestore()
    await pool.close()
  }
})

test('a closed pool scans no more', async () => {
  const pool = openScanPool(workerUrl, 1) as ScanPool
  await pool.close()
  await expect(pool.scan([Buffer.from('x')], 1, imageFileKind('/x.txt'))).rejects.toThrow('the scan pool was closed')
})

test('a layer scanned on the pool reads exactly as on one thread, a spooled file among the pooled ones', async () => {
  const spoolAt = 2 * BATCH_BYTES
  const contents = [...files(), { name: 'var/log/huge.log', text: `${filler(spoolAt)}\nTOKEN=${checksummed('ghp_')}\n` }]
  const layer = await tarOf(Object.fromEntries(contents.map(file => [file.name, file.text])))
  const read = (pool?: ScanPool) => {
    const chunks = (async function* () {
      for (let at = 0; at < layer.length; at += 65536) yield layer.subarray(at, at + 65536)
    })()
    // Above spoolAt a file is spooled to disk and scanned on this thread (the log); the bundle, above a batch,
    // starts the workers.
    return scanLayerTar(chunks, { spoolDir: scratchDir('pool-layer-'), spoolAt, ...(pool ? { pool } : {}) })
  }
  const pool = openScanPool(workerUrl, 2) as ScanPool
  try {
    const alone = await read()
    expect(await read(pool)).toEqual(alone)
    expect(pool.threads).toBe(2)
    expect(alone.findings.map(finding => finding.path)).toEqual([
      '/app/.env',
      '/app/.env',
      '/app/src/client.ts',
      '/app/dist/bundle.js',
      '/app/src/config.py',
      '/var/log/huge.log'
    ])
  } finally {
    await pool.close()
  }
})
