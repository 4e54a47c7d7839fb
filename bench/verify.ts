// Benchmark of the verify phase (`npm run bench:verify`) on a realistic image, on every engine of the stack
// (scripts/e2e-stack.sh writes them to <state>/engines): a base of ~2.4 GB in 11 layers unpacked from Debian packages
// (bench/big-base.ts, pushed once to the stack's registry; the target repository holds it too), and an app layer of
// ~330 MB / ~20k files (two copies of this project's node_modules) that changes every run. Warm cache. In the same
// run, per engine, alternating:
//   - the whole bundled action (dist/index.js: checks, context scan, build, verify, push), verify on;
//   - a bare `docker buildx build --push` of the same change;
// then the verify phase alone (scan and boot at once) on the image built on the 2.4 GB base and on the same app over a
// base 1.06 GB larger, to show what a GB of base costs; and, beside each, the engine's push of that image to a
// loopback registry that drops the bytes unread: the part of the layer read that is the engine's own (Docker 20.10
// gzips the layer there, the compression its push needs anyway, which the action's upload then reuses); and how many
// of the machine's cores were busy during the verify phase (/proc/stat), against this process's own CPU. The verify
// phase alone scans every file the app layer adds (as for a layer a RUN made); once more with the files the context
// scan found clean known (as the action reads the COPY of its context), which it hashes instead; and on half the app
// layer (one copy, in a context of its own), for how much the read grows per added byte.
// Targets: the action <= 1.2x the bare push; the verify phase >= 150 MB/s of added layer data (its growth with the
// added bytes, and its whole read, both shown); <= 3 s per extra GB of base.
//
// Options: --runs N (default 3), --engine NAME (only that one). Needs `npm run bundle` first (dist/index.js).

import { execFile, execFileSync, spawnSync } from 'node:child_process'
import { promisify } from 'node:util'
import { randomBytes } from 'node:crypto'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createRegistryClient } from '../src/registry/client.js'
import { runRegistries } from '../src/registry/for-inputs.js'
import { scanContext } from '../src/secrets/scan.js'
import { inspectImage, saveImage } from '../src/verify/docker-image.js'
import { drain } from '../src/verify/layer-scan.js'
import { startLoopbackRegistry } from '../src/verify/loopback-registry.js'
import { scanSaveArchive } from '../src/verify/save-archive.js'
import { verifyImage } from '../src/verify/verify.js'
import { ensureBase } from './big-base.js'
import { runsOption, stackOrExit } from './stack.js'
import { testInputsFor } from './verify-inputs.js'

const runs = runsOption(3)
const { registry, username, password } = stackOrExit()
const root = resolve('.')
if (!existsSync(join(root, 'dist', 'index.js'))) {
  console.error('dist/index.js is missing: run npm run bundle first.')
  process.exit(2)
}
const stateDir = process.env.OHE_E2E_STATE || '/tmp/ohe-e2e'
const engineAt = process.argv.indexOf('--engine')
const engines = (existsSync(join(stateDir, 'engines')) ? readFileSync(join(stateDir, 'engines'), 'utf8') : 'default unix:///var/run/docker.sock\n')
  .split('\n')
  .filter(line => line.trim() !== '')
  .map(line => ({ name: line.split(' ')[0] ?? '', host: line.split(' ')[1] ?? '' }))
  .filter(engine => engineAt < 0 || engine.name === process.argv[engineAt + 1])

const scratch = mkdtempSync(join(tmpdir(), 'bench-verify-'))
const dockerConfig = join(scratch, 'docker')
const baseEnv = { ...process.env, DOCKER_CONFIG: dockerConfig }
process.env.DOCKER_CONFIG = dockerConfig
execFileSync('docker', ['login', registry, '--username', username, '--password-stdin'], { input: password, env: baseEnv, stdio: ['pipe', 'ignore', 'inherit'] })

const client = createRegistryClient({ registry, credentials: { username, password } })
const target = 'bench/verify-app'
const has = (repository: string) => (tag: string) => client.tagExists(repository, tag)
const stub = `${registry}/openhands/agent-server:1.23.0-python`
const small = await ensureBase(stub, `${registry}/${target}`, false, has(target), baseEnv)
const large = await ensureBase(stub, `${registry}/${target}`, true, has(target), baseEnv)
// The action checks FROM against base-image:<version>-python: each base is also an agent-server stand-in repository.
const asAgentServer = (base: string, name: string): string => {
  const repository = `${registry}/bench/${name}`
  execFileSync('docker', ['buildx', 'imagetools', 'create', '--tag', `${repository}:1.23.0-python`, base], {
    env: baseEnv,
    stdio: ['ignore', 'ignore', 'inherit']
  })
  return repository
}
const smallRepository = asAgentServer(small.reference, 'agent-server-2g')
const largeRepository = asAgentServer(large.reference, 'agent-server-3g')

// The app: ~20k files, ~330 MB, a new file each run so the layer changes. Half of it (one copy) in a context of its
// own, for what the verify phase adds per added byte.
const context = join(scratch, 'app')
for (const copy of ['a', 'b']) cpSync(join(root, 'node_modules'), join(context, 'app', copy, 'node_modules'), { recursive: true })
const halfContext = join(scratch, 'half')
cpSync(join(context, 'app', 'a'), join(halfContext, 'app', 'a'), { recursive: true })
const dockerfile = (repository: string): string =>
  `ARG AGENT_SERVER_VERSION=1.23.0\nFROM ${repository}:\${AGENT_SERVER_VERSION}-python\nUSER root\nCOPY app/ /opt/app/\nUSER openhands\n`
writeFileSync(join(context, 'Dockerfile'), dockerfile(smallRepository))
// The verify-alone images pick their base by build-arg, from one Dockerfile.
for (const dir of [context, halfContext])
  writeFileSync(join(dir, 'Dockerfile.verify'), 'ARG BASE\nFROM ${BASE}:1.23.0-python\nUSER root\nCOPY app/ /opt/app/\nUSER openhands\n')
const change = (): void => {
  for (const dir of [context, halfContext]) writeFileSync(join(dir, 'app', 'change.txt'), `${randomBytes(16).toString('hex')}\n`)
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN
const fmt = (seconds: number): string => `${seconds.toFixed(1)} s`

/** The images a bare push and the action leave in the engine (each run's replaces the last one's tag): removed at the end. */
const left: Array<{ host: string; id: string }> = []
function keep(env: NodeJS.ProcessEnv, tag: string): void {
  const id = spawnSync('docker', ['image', 'inspect', '--format', '{{.Id}}', tag], { env, encoding: 'utf8' }).stdout.trim()
  if (id) left.push({ host: env.DOCKER_HOST ?? '', id })
}

function bare(env: NodeJS.ProcessEnv): number {
  change()
  const started = performance.now()
  execFileSync('docker', ['buildx', 'build', '--progress', 'quiet', '--platform', 'linux/amd64', '--tag', `${registry}/${target}:bare`, '--push', context], {
    env,
    stdio: ['ignore', 'ignore', 'inherit']
  })
  const seconds = (performance.now() - started) / 1000
  keep(env, `${registry}/${target}:bare`)
  return seconds
}

function action(env: NodeJS.ProcessEnv): { seconds: number; log: string } {
  change()
  const output = join(scratch, 'output')
  writeFileSync(output, '')
  writeFileSync(join(scratch, 'state'), '')
  const inputs: Record<string, string> = {
    'agent-server-version': '1.23.0',
    'base-image': smallRepository,
    context: context,
    repository: `${registry}/${target}`,
    tag: 'action',
    'registry-username': username,
    'registry-password': password
  }
  const actionEnv: NodeJS.ProcessEnv = { ...env, GITHUB_WORKSPACE: scratch, GITHUB_OUTPUT: output, GITHUB_STATE: join(scratch, 'state'), RUNNER_TEMP: scratch }
  for (const [name, value] of Object.entries(inputs)) actionEnv[`INPUT_${name.toUpperCase()}`] = value
  const started = performance.now()
  const run = spawnSync(process.execPath, [join(root, 'dist', 'index.js')], { cwd: root, env: actionEnv, encoding: 'utf8', maxBuffer: 64 << 20 })
  const seconds = (performance.now() - started) / 1000
  if (run.status !== 0) {
    console.error(
      run.stdout
        .split('\n')
        .filter(line => line.startsWith('::error'))
        .join('\n')
    )
    throw new Error(`the action failed (exit ${run.status})`)
  }
  keep(env, `${registry}/${target}:action`)
  return { seconds, log: run.stdout }
}

/** Where the action's time went, from its log: each phase's own figure, and what is left (start, checks, read-back). */
function phasesOf(log: string, total: number): string {
  const seconds = (pattern: RegExp): number => Number(pattern.exec(log)?.[1] ?? NaN)
  const phases: Array<[string, number]> = [
    ['context scan', seconds(/Scanned \d+ file\(s\), [\d.]+ MB, in ([\d.]+) s/)],
    ['build and load', seconds(/Built and loaded as .* in ([\d.]+) s\./)],
    ['verify', seconds(/Verified in ([\d.]+) s/)],
    ['push', seconds(/Pushed .* in ([\d.]+) s; the registry's layers/)]
  ]
  const rest = total - phases.reduce((sum, [, value]) => sum + (Number.isNaN(value) ? 0 : value), 0)
  return [...phases, ['the rest', rest] as [string, number]].map(([name, value]) => `${name} ${fmt(value)}`).join(', ')
}

/** CPU seconds the whole machine has spent busy (all cores, /proc/stat): what the engine, the boot and the read used together. */
function machineBusySeconds(): number {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number)
  // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = fields
  return (user + nice + system + irq + softirq) / 100
}

/** Builds (untimed) into the engine, then times the verify phase in this process. */
async function verifyAlone(
  env: NodeJS.ProcessEnv,
  repository: string,
  alsoSave = false,
  knowContext = false,
  appContext = context
): Promise<{ seconds: number; scan: number; floor: number; added: number; source: string; cores: number; own: number; save?: number; hashed?: number }> {
  change()
  const tag = `ohe-bench-verify:${randomBytes(6).toString('hex')}`
  const file = join(appContext, 'Dockerfile.verify')
  execFileSync(
    'docker',
    [
      'buildx',
      'build',
      '--progress',
      'quiet',
      '--platform',
      'linux/amd64',
      '--file',
      file,
      '--build-arg',
      `BASE=${repository}`,
      '--tag',
      tag,
      '--load',
      appContext
    ],
    { env, stdio: ['ignore', 'ignore', 'inherit'] }
  )
  const work = mkdtempSync(join(scratch, 'work-'))
  const inputs = testInputsFor(root, { file, 'registry-username': username, 'registry-password': password })
  // As the action runs it: the context scan (not timed here) remembers the files it found clean.
  const scannedClean = knowContext ? (await scanContext({ context: appContext, dockerfile: file, remember: true })).clean : undefined
  try {
    const busyBefore = machineBusySeconds()
    const ownBefore = process.cpuUsage()
    const started = performance.now()
    const report = await verifyImage(inputs, {
      image: tag,
      release: '1.23.0',
      agentServerReference: `${repository}:1.23.0-python`,
      workDir: work,
      registries: runRegistries(inputs),
      ...(scannedClean ? { scannedClean } : {})
    })
    const seconds = (performance.now() - started) / 1000
    const busy = machineBusySeconds() - busyBefore
    const ownUsed = process.cpuUsage(ownBefore)
    if (report.problems.length > 0) throw new Error(`verification failed: ${report.problems.join('; ')}`)
    // The engine's own part of that read: the same push to a loopback registry that drops the bytes unread.
    const base = await runRegistries(inputs)
      .client(registry)
      .getImageConfig(repository.slice(registry.length + 1), '1.23.0-python')
    const dropping = await startLoopbackRegistry({ known: new Map((base.layers ?? []).map(layer => [layer.digest, layer.size])), receive: drain })
    let floor: number
    try {
      execFileSync('docker', ['tag', tag, dropping.reference('floor')], { env })
      const floorStarted = performance.now()
      // Not execFileSync: the registry answering the push runs in this process.
      await promisify(execFile)('docker', ['push', dropping.reference('floor')], { env })
      floor = (performance.now() - floorStarted) / 1000
      execFileSync('docker', ['image', 'rm', dropping.reference('floor')], { env, stdio: 'ignore' })
    } finally {
      await dropping.close()
    }
    let save: number | undefined
    if (alsoSave) {
      // The path before this one, for comparison: the layer scan of a streamed docker save, base layers skipped.
      const local = await inspectImage(tag)
      const saveStarted = performance.now()
      await scanSaveArchive(saveImage(tag), {
        imageId: local.id,
        diffIds: local.diffIds,
        baseLayers: report.baseLayers,
        spoolDir: work,
        estimateCompressed: true
      })
      save = (performance.now() - saveStarted) / 1000
    }
    return {
      seconds,
      scan: report.secrets.seconds,
      floor,
      added: report.size.uncompressed,
      source: report.secrets.source,
      cores: busy / seconds,
      own: (ownUsed.user + ownUsed.system) / 1e6,
      ...(save === undefined ? {} : { save }),
      ...(report.secrets.alreadyScanned ? { hashed: report.secrets.alreadyScanned.bytes } : {})
    }
  } finally {
    spawnSync('docker', ['image', 'rm', tag], { env, stdio: 'ignore' })
    rmSync(work, { recursive: true, force: true })
  }
}

const lines: string[] = [`runs: ${runs} each, warm cache, ${cpus().length} cores; bases: ${small.layers} and ${large.layers} package layers over the stub`]
try {
  for (const engine of engines) {
    const env = { ...baseEnv, DOCKER_HOST: engine.host }
    process.env.DOCKER_HOST = engine.host
    const version = execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { env, encoding: 'utf8' }).trim()
    console.error(`${engine.name} (${version}): warming up`)
    bare(env)
    action(env)
    const bares: number[] = []
    const actions: number[] = []
    const verifyInAction: number[] = []
    let phases = ''
    for (let i = 0; i < runs; i++) {
      bares.push(bare(env))
      const run = action(env)
      actions.push(run.seconds)
      const verified = /Scanned \d+ custom layer\(s\)[^\n]*? in ([\d.]+) s/.exec(run.log)
      if (verified) verifyInAction.push(Number(verified[1]))
      phases = phasesOf(run.log, run.seconds)
    }
    const smallRuns: Array<Awaited<ReturnType<typeof verifyAlone>>> = []
    const largeRuns: Array<Awaited<ReturnType<typeof verifyAlone>>> = []
    const knownRuns: Array<Awaited<ReturnType<typeof verifyAlone>>> = []
    const halfRuns: Array<Awaited<ReturnType<typeof verifyAlone>>> = []
    for (let i = 0; i < runs; i++) {
      smallRuns.push(await verifyAlone(env, smallRepository, i === 0))
      largeRuns.push(await verifyAlone(env, largeRepository))
      knownRuns.push(await verifyAlone(env, smallRepository, false, true))
      halfRuns.push(await verifyAlone(env, smallRepository, false, false, halfContext))
    }
    const added = smallRuns[0]?.added ?? 0
    const verifySmall = median(smallRuns.map(run => run.seconds))
    const verifyLarge = median(largeRuns.map(run => run.seconds))
    const scanSmall = median(smallRuns.map(run => run.scan))
    const floorSmall = median(smallRuns.map(run => run.floor))
    const beyond = scanSmall - floorSmall
    const scanLarge = median(largeRuns.map(run => run.scan))
    const ratio = median(actions) / median(bares)
    const rate = added / 1e6 / scanSmall
    const perGb = (scanLarge - scanSmall) / 1.06
    const knownScan = median(knownRuns.map(run => run.scan))
    const knownRate = added / 1e6 / knownScan
    // What the verify phase adds per added byte: the same read of half the app layer, against the whole one (as the
    // cost per GB of base is a difference of two bases). The fixed part (the docker commands, the base's registry
    // read, the loopback registry, the boot beside the read) is in both.
    const halfAdded = halfRuns[0]?.added ?? 0
    const scanHalf = median(halfRuns.map(run => run.scan))
    const growth = scanSmall > scanHalf ? (added - halfAdded) / 1e6 / (scanSmall - scanHalf) : Infinity
    lines.push(
      `${engine.name} (Docker ${version}), app layer ${(added / 1e6).toFixed(0)} MB uncompressed, layers read from ${smallRuns[0]?.source ?? '?'}:`,
      `  bare docker buildx build --push          median ${fmt(median(bares))}  (${bares.map(fmt).join(', ')})`,
      `  the action, verify on                    median ${fmt(median(actions))}  (${actions.map(fmt).join(', ')})  ratio ${ratio.toFixed(2)}x ${ratio <= 1.2 ? '[target met]' : '[target missed: > 1.2x]'}`,
      `  layer read and scan inside the action    median ${fmt(median(verifyInAction))}`,
      `  the action's phases (last run)           ${phases}`,
      `  verify phase alone, 2.4 GB base          median ${fmt(verifySmall)}, its layer read and scan ${fmt(scanSmall)} (${rate.toFixed(0)} MB/s of added data) ${rate >= 150 ? '[target met]' : '[target missed: < 150 MB/s]'}`,
      `  of which the engine's push alone         median ${fmt(floorSmall)} (bytes dropped unread); the read and scan add ${fmt(beyond)} (${beyond > 0 ? `${(added / 1e6 / beyond).toFixed(0)} MB/s of added data` : 'nothing'})`,
      `  cores busy during it                     median ${median(smallRuns.map(run => run.cores)).toFixed(2)} of ${cpus().length} (the whole machine: engine, boot, read); this process ${fmt(median(smallRuns.map(run => run.own)))} of CPU`,
      `  before: docker save streamed, scanned    ${fmt(smallRuns[0]?.save ?? NaN)} (2.4 GB base, one run)`,
      `  verify phase alone, 3.5 GB base          median ${fmt(verifyLarge)}, its layer read and scan ${fmt(scanLarge)}: ${perGb.toFixed(1)} s per extra GB of base ${perGb <= 3 ? '[target met]' : '[target missed: > 3 s/GB]'}`,
      `  verify phase alone, half the app layer   median ${fmt(median(halfRuns.map(run => run.seconds)))} for ${(halfAdded / 1e6).toFixed(0)} MB, its layer read and scan ${fmt(scanHalf)}: ` +
        `the read grows by ${fmt(scanSmall - scanHalf)} for ${((added - halfAdded) / 1e6).toFixed(0)} MB more, ${growth.toFixed(0)} MB/s of added data ${growth >= 150 ? '[target met]' : '[target missed: < 150 MB/s]'}`,
      `  verify phase alone, context known clean  median ${fmt(median(knownRuns.map(run => run.seconds)))}, its layer read ${fmt(knownScan)} (${knownRate.toFixed(0)} MB/s of added data; ` +
        `${((knownRuns[0]?.hashed ?? 0) / 1e6).toFixed(0)} MB hashed, not scanned, as the action reads a COPY of its context)`
    )
    console.error(lines.slice(-12).join('\n'))
  }
  console.log(lines.join('\n'))
} finally {
  for (const { host, id } of left) spawnSync('docker', ['image', 'rm', '--force', id], { env: { ...baseEnv, DOCKER_HOST: host }, stdio: 'ignore' })
  spawnSync('docker', ['logout', registry], { env: baseEnv, stdio: 'ignore' })
  rmSync(scratch, { recursive: true, force: true })
}
