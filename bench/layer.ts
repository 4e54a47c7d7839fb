// Benchmark of the verify phase's layer read (`npm run bench:layer`), no engine needed: a gzip layer of two copies
// of this project's node_modules (~290 MB, ~20k files, made once under /tmp with tar and gzip -6, as an engine
// gzips a layer), fed to blobReader in the chunks the loopback registry hands it (an HTTP body through a 1 MiB
// PassThrough), and in the same run the peers that bound it: gunzip alone, gunzip + sha256, gunzip + sha256 + tar
// parse by tar-stream (files drained), all with the read path's gunzip chunk size. Median of the runs: wall time,
// MB/s of uncompressed data and the ratio to gunzip alone, and CPU seconds (the process's, the main thread's).
// Prints a digest of blobReader's whole result (findings, whiteouts, records, helpers, entries, passwd, diff_id),
// so a change to the read path can be shown to read the same, and checks its diff_id and count of regular files
// against the tar-stream peer's. Target: blobReader >= 150 MB/s of added layer data; exits 1 below it or on a
// mismatch. `blobReader known clean` reads it after a context scan of node_modules (as a `COPY` of the context
// is read): the files that scan found clean are hashed, not scanned; its result must be the same but for that count.
//
// Options: --runs N (default 5), --dir PATH (default /tmp/ohe-bench-layer; a layer.tar.gz already there is read as
// is, so any gzip layer can be measured), --chunk BYTES (the body's chunks, default 65536), --only NAME (one of
// them, e.g. to profile blobReader).

import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import * as tar from 'tar-stream'
import { blobReader, type BlobRead } from '../src/verify/loopback-export.js'
import { scanContext } from '../src/secrets/scan.js'
import { openScanPool, type ScanPool } from '../src/secrets/scan-pool.js'
import { ScannedClean } from '../src/secrets/scanned-clean.js'
import { recordBudget } from '../src/verify/package-records.js'
import { GUNZIP_CHUNK } from '../src/verify/save-archive.js'
import { runsOption } from './stack.js'

const runs = runsOption(5)
const option = (name: string): string | undefined => {
  const at = process.argv.indexOf(name)
  return at > 0 ? process.argv[at + 1] : undefined
}
const root = resolve(option('--dir') ?? '/tmp/ohe-bench-layer')
const chunk = Number(option('--chunk') ?? 65536)
const only = option('--only')
const layer = join(root, 'layer.tar.gz')

/** The layer: node_modules under /app and under a home folder (so the watched-folder entries are kept too). */
function ensureLayer(): void {
  if (existsSync(layer)) return
  const tree = join(root, 'tree')
  rmSync(root, { recursive: true, force: true })
  mkdirSync(join(tree, 'home', 'openhands'), { recursive: true })
  const modules = resolve('node_modules')
  console.log(`making ${layer} from two copies of ${modules}`)
  execFileSync('cp', ['-a', `${modules}/.`, join(tree, 'app')])
  execFileSync('cp', ['-a', `${modules}/.`, join(tree, 'home', 'openhands', 'app')])
  execFileSync('sh', ['-c', `tar -C "${tree}" --sort=name --numeric-owner -cf - app home | gzip -6 > "${layer}.part" && mv "${layer}.part" "${layer}"`])
  rmSync(tree, { recursive: true, force: true })
}

/** The layer's bytes as the loopback registry hands them to its reader. */
function blob(): PassThrough {
  const body = new PassThrough({ highWaterMark: 1 << 20 })
  createReadStream(layer, { highWaterMark: chunk }).pipe(body)
  return body
}

const sink = (onChunk: (data: Buffer) => void = () => {}): Writable =>
  new Writable({
    highWaterMark: 1 << 20,
    write(data: Buffer, _encoding, done) {
      onChunk(data)
      done()
    }
  })

/** Each peer returns the uncompressed bytes it read. */
const peers: Record<string, () => Promise<number>> = {
  gunzip: async () => {
    let bytes = 0
    await pipeline(
      createReadStream(layer, { highWaterMark: chunk }),
      createGunzip({ chunkSize: GUNZIP_CHUNK }),
      sink(data => (bytes += data.length))
    )
    return bytes
  },
  'gunzip+sha256': async () => {
    let bytes = 0
    const hash = createHash('sha256')
    await pipeline(
      createReadStream(layer, { highWaterMark: chunk }),
      createGunzip({ chunkSize: GUNZIP_CHUNK }),
      sink(data => {
        bytes += data.length
        hash.update(data)
      })
    )
    hash.digest()
    return bytes
  },
  'gunzip+sha256+tar': async () => {
    let bytes = 0
    const hash = createHash('sha256')
    const extract = tar.extract()
    let files = 0
    const parse = (async () => {
      for await (const entry of extract) {
        if (entry.header.type === 'file' || entry.header.type === 'contiguous-file') files++
        // eslint-disable-next-line @typescript-eslint/no-unused-vars
        for await (const _ of entry) {
          /* drained */
        }
      }
    })()
    await pipeline(
      createReadStream(layer, { highWaterMark: chunk }),
      createGunzip({ chunkSize: GUNZIP_CHUNK }),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const data of source) {
          bytes += data.length
          hash.update(data)
          if (!extract.write(data)) await new Promise<void>(done => extract.once('drain', () => done()))
        }
        extract.end(undefined)
        yield* []
      }
    )
    await parse
    // blobReader's reading is checked against tar-stream's: the same diff_id and regular files.
    reference = { diffId: `sha256:${hash.digest('hex')}`, files }
    return bytes
  },
  'blobReader 1 thread': async () => {
    const read = await readBlob(undefined)
    alone = read
    return read.kind === 'layer' ? read.uncompressed : 0
  },
  blobReader: async () => {
    const read = await readBlob(pool)
    last = read
    return read.kind === 'layer' ? read.uncompressed : 0
  },
  'blobReader known clean': async () => {
    clean ??= await cleanContext()
    const read = await readBlob(pool, clean)
    known = read
    return read.kind === 'layer' ? read.uncompressed : 0
  }
}

/** What a context scan of node_modules found clean (not timed: the action's context scan runs before the build). */
async function cleanContext(): Promise<ScannedClean> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-layer-context-'))
  try {
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n')
    const scanned = await scanContext({ context: resolve('node_modules'), dockerfile: join(dir, 'Dockerfile'), remember: true })
    return scanned.clean ?? new ScannedClean()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The verify phase's reader: with the scan pool (as the action runs it), or with every file scanned on this thread. */
async function readBlob(onPool: ScanPool | undefined, known?: ScannedClean): Promise<BlobRead> {
  const spoolDir = mkdtempSync(join(tmpdir(), 'bench-layer-'))
  try {
    return await blobReader({ spoolDir, records: recordBudget(), ...(onPool ? { pool: onPool } : {}), ...(known ? { clean: known } : {}) })(blob())
  } finally {
    rmSync(spoolDir, { recursive: true, force: true })
  }
}
// Opened once, as the verify phase opens it once for all its layers.
const pool = openScanPool()
if (!pool) throw new Error('no scan worker next to this bundle: run the bench with npm run bench:layer')
let last: BlobRead | undefined
let alone: BlobRead | undefined
let known: BlobRead | undefined
let clean: ScannedClean | undefined
let reference: { diffId: string; files: number } | undefined

/** The main thread's CPU seconds (Linux), where the scan runs; the machine's other load does not inflate it as it does wall time. */
function mainThreadCpu(): number {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return NaN
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}

ensureLayer()
const compressed = statSync(layer).size
interface Run {
  wall: number
  /** CPU seconds of the whole process (the thread pool's gunzip included) and of the main thread alone. */
  cpu: number
  main: number
}
const times = new Map<string, Run[]>(Object.keys(peers).map(name => [name, []]))
let uncompressed = 0
for (let run = 0; run < runs; run++) {
  for (const [name, peer] of Object.entries(peers)) {
    if (only !== undefined && name !== only) continue
    const cpu = process.cpuUsage()
    const main = mainThreadCpu()
    const started = process.hrtime.bigint()
    uncompressed = await peer()
    const used = process.cpuUsage(cpu)
    times.get(name)?.push({ wall: Number(process.hrtime.bigint() - started) / 1e9, cpu: (used.user + used.system) / 1e6, main: mainThreadCpu() - main })
  }
}
const wallOf = (name: string): number => median((times.get(name) ?? []).map(run => run.wall))
const gunzipMbps = uncompressed / 1e6 / wallOf('gunzip')
console.log(
  `layer: ${(uncompressed / 1e6).toFixed(0)} MB uncompressed, ${(compressed / 1e6).toFixed(0)} MB gzipped; ${runs} runs, median; chunks of ${chunk} B`
)
for (const [name, values] of times) {
  if (values.length === 0) continue
  const wall = wallOf(name)
  const mbps = uncompressed / 1e6 / wall
  const ratio = Number.isFinite(gunzipMbps) ? `  ${(mbps / gunzipMbps).toFixed(2)}x gunzip` : ''
  const cpu = `cpu ${median(values.map(run => run.cpu)).toFixed(2)} s, main thread ${median(values.map(run => run.main)).toFixed(2)} s`
  console.log(`  ${name.padEnd(20)} ${wall.toFixed(2)} s  ${mbps.toFixed(0).padStart(4)} MB/s${ratio}  (${cpu})`)
}
if (last?.kind === 'layer') {
  const { scan } = last
  console.log(
    `blobReader read ${scan.files} text files, ${scan.binary} binary, ${scan.findings.length} findings, ${scan.records?.length ?? 0} records, ` +
      `${scan.entries?.length ?? 0} entries, ${scan.helpers?.length ?? 0} helpers; ${last.diffId}`
  )
  console.log(`result digest ${createHash('sha256').update(JSON.stringify(last)).digest('hex')}`)
}
if (last?.kind === 'layer' && reference) {
  const read = { diffId: last.diffId, files: last.scan.files + last.scan.binary }
  if (read.diffId !== reference.diffId || read.files !== reference.files) {
    console.error(`blobReader read ${JSON.stringify(read)}, tar-stream ${JSON.stringify(reference)}`)
    process.exit(1)
  }
  console.log(`same diff_id and ${read.files} regular files as tar-stream's reading`)
}
if (last && alone) {
  const digest = (read: BlobRead): string => createHash('sha256').update(JSON.stringify(read)).digest('hex')
  if (digest(last) !== digest(alone)) {
    console.error(`blobReader on the scan pool read ${digest(last)}, on one thread ${digest(alone)}`)
    process.exit(1)
  }
  console.log('the same result on the scan pool as on one thread')
}
if (last?.kind === 'layer' && known?.kind === 'layer') {
  const digest = (read: BlobRead): string => createHash('sha256').update(JSON.stringify(read)).digest('hex')
  const { known: count, ...rest } = known.scan
  if (digest(last) !== digest({ ...known, scan: rest })) {
    console.error(`blobReader with the context's clean files read ${digest({ ...known, scan: rest })}, without ${digest(last)}`)
    process.exit(1)
  }
  console.log(
    `the same result with the context's clean files known (${clean?.files ?? 0} of them): ${count?.files ?? 0} of ${known.scan.files} text files, ` +
      `${((count?.bytes ?? 0) / 1e6).toFixed(0)} MB, hashed and not scanned`
  )
}
await pool.close()
const blobMbps = uncompressed / 1e6 / wallOf('blobReader')
if (Number.isFinite(blobMbps)) {
  console.log(`target: blobReader >= 150 MB/s: ${blobMbps >= 150 ? 'met' : 'not met'} (${blobMbps.toFixed(0)} MB/s)`)
  if (blobMbps < 150) process.exitCode = 1
}
