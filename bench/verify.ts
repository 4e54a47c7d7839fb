// Benchmark of the verify phase (`npm run bench:verify`), on the stack of scripts/e2e-stack.sh: for the example
// image (examples/sandbox) and for an image that adds a 1 GB layer (half random binary files, half base64 text
// files), it times the build into the engine (`buildx build --load`), then the verify phase (secret scan of the
// custom layers and config, boot check, both at once), and the layer scan on its own: streamed from `docker save`
// (bound by the engine's export) and reading the same archive from a file (the scan's own pace).
// Target: the layer scan at >= 150 MB/s of custom layer bytes.
//
// Options: --runs N (default 3), --skip-big (only the example image).

import { execFileSync, spawnSync } from 'node:child_process'
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { inspectImage, saveImage } from '../src/verify/docker-image.js'
import { scanSaveArchive } from '../src/verify/save-archive.js'
import { verifyImage } from '../src/verify/verify.js'
import { testInputsFor } from './verify-inputs.js'
import { runsOption, stackOrExit } from './stack.js'

const runs = runsOption(3)
const { registry, username, password } = stackOrExit()

const root = resolve('.')
const baseRepository = `${registry}/openhands/agent-server`
const scratch = mkdtempSync(join(tmpdir(), 'bench-verify-'))
const env = { ...process.env, DOCKER_CONFIG: join(scratch, 'docker') }
process.env.DOCKER_CONFIG = env.DOCKER_CONFIG
execFileSync('docker', ['login', registry, '--username', username, '--password-stdin'], { input: password, env, stdio: ['pipe', 'ignore', 'inherit'] })

const bigContext = join(scratch, 'big')
execFileSync('mkdir', ['-p', bigContext])
writeFileSync(
  join(bigContext, 'Dockerfile'),
  `FROM ${baseRepository}:1.23.0-python
USER root
RUN mkdir -p /opt/big && for i in 1 2 3 4 5 6 7 8; do head -c 64000000 /dev/urandom > /opt/big/blob-$i.bin; done \\
 && for i in 1 2 3 4 5 6 7 8; do head -c 48000000 /dev/urandom | base64 > /opt/big/text-$i.txt; done
USER openhands
`
)

interface Case {
  name: string
  context: string
  buildArgs: string[]
}
const cases: Case[] = [
  { name: 'examples/sandbox', context: join(root, 'examples', 'sandbox'), buildArgs: ['--build-arg', `BASE_REPOSITORY=${baseRepository}`] }
]
if (!process.argv.includes('--skip-big')) cases.push({ name: 'image with a 1 GB added layer', context: bigContext, buildArgs: [] })

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN
const fmt = (seconds: number) => `${seconds.toFixed(2)} s`
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`

function build(c: Case, tag: string): number {
  const started = performance.now()
  execFileSync('docker', ['buildx', 'build', '--progress', 'quiet', '--platform', 'linux/amd64', ...c.buildArgs, '--tag', tag, '--load', c.context], {
    env,
    stdio: ['ignore', 'ignore', 'inherit']
  })
  return (performance.now() - started) / 1000
}

const inputs = testInputsFor(root, { repository: `${registry}/bench/verify`, 'registry-username': username, 'registry-password': password })
const lines: string[] = []
try {
  for (const c of cases) {
    const tag = `ohe-sandbox-verify:bench${Date.now().toString(16)}`
    const builds: number[] = []
    const verifies: number[] = []
    const scans: number[] = []
    const saves: number[] = []
    const fileScans: number[] = []
    let added = 0
    let boot = NaN
    for (let i = 0; i < runs; i++) {
      builds.push(build(c, tag))
      const work = mkdtempSync(join(scratch, 'work-'))
      const started = performance.now()
      const report = await verifyImage(inputs, { image: tag, release: '1.23.0', agentServerReference: `${baseRepository}:1.23.0-python`, workDir: work })
      verifies.push((performance.now() - started) / 1000)
      if (report.problems.length > 0) throw new Error(`verification failed: ${report.problems.join('; ')}`)
      added = report.size.uncompressed
      boot = report.boot.secondsToHealthy ?? NaN
      // The layer scan alone: docker save streamed, base skipped, custom layers scanned.
      const local = await inspectImage(tag)
      const scanStarted = performance.now()
      await scanSaveArchive(saveImage(tag), { imageId: local.id, diffIds: local.diffIds, baseLayers: 1, spoolDir: work, estimateCompressed: true })
      scans.push((performance.now() - scanStarted) / 1000)
      // Apart: docker save alone (the engine's export), and the layer scan reading that archive from a file.
      const saved = join(work, 'image.tar')
      const saveStarted = performance.now()
      execFileSync('docker', ['save', '--output', saved, tag])
      saves.push((performance.now() - saveStarted) / 1000)
      const fileStarted = performance.now()
      const fromFile = createReadStream(saved, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>
      await scanSaveArchive(fromFile, { imageId: local.id, diffIds: local.diffIds, baseLayers: 1, spoolDir: work, estimateCompressed: true })
      fileScans.push((performance.now() - fileStarted) / 1000)
      rmSync(work, { recursive: true, force: true })
    }
    spawnSync('docker', ['image', 'rm', tag], { stdio: 'ignore' })
    const rate = (seconds: number): string => `${(added / 1e6 / seconds).toFixed(0)} MB/s`
    const throughput = added / 1e6 / median(fileScans)
    lines.push(
      `${c.name}: added ${mb(added)} uncompressed\n` +
        `  build (--load)                          median ${fmt(median(builds))}\n` +
        `  verify phase (scan + boot at once)      median ${fmt(median(verifies))}  (boot: ${fmt(boot)} to healthy)\n` +
        `  layer scan streamed from docker save    median ${fmt(median(scans))}  (${rate(median(scans))})\n` +
        `  docker save alone, to a file            median ${fmt(median(saves))}  (${rate(median(saves))})\n` +
        `  layer scan of the saved archive         median ${fmt(median(fileScans))}  (${rate(median(fileScans))})` +
        (added > 100e6 ? (throughput >= 150 ? '  [target met: >= 150 MB/s]' : '  [target missed: < 150 MB/s]') : '')
    )
  }
  console.log(`\nruns: ${runs} each, warm cache, ${(await import('node:os')).cpus().length} cores`)
  for (const line of lines) console.log(line)
} finally {
  spawnSync('docker', ['logout', registry], { env, stdio: 'ignore' })
  rmSync(scratch, { recursive: true, force: true })
}
