// Benchmark of what the action adds to a build (`npm run bench:build`), on the stack of scripts/e2e-stack.sh.
// On a warm cache it times, alternately in the same run, the bare `docker buildx build --push` of examples/sandbox
// and the whole bundled action (checks, scan, login, build, push) on the same context, then the scan on its own.
// Reports medians and the action's overhead; the target is at most 0.5 s added beside the scan's time.
//
// Options: --runs N (default 7).

import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { scanContext } from '../src/secrets/scan.js'
import { runsOption, stackOrExit } from './stack.js'

const runs = runsOption(7)
const { registry, username, password } = stackOrExit()

const root = resolve('.')
const context = join(root, 'examples', 'sandbox')
const baseRepository = `${registry}/openhands/agent-server`
const repository = `${registry}/bench/sandbox`
const scratch = mkdtempSync(join(tmpdir(), 'bench-build-'))
// A private docker config: the bench logs in without touching the user's ~/.docker.
const env = { ...process.env, DOCKER_CONFIG: join(scratch, 'docker') }
execFileSync('docker', ['login', registry, '--username', username, '--password-stdin'], { input: password, env, stdio: ['pipe', 'ignore', 'inherit'] })

function bareBuild(): number {
  const started = performance.now()
  execFileSync(
    'docker',
    [
      'buildx',
      'build',
      '--progress',
      'quiet',
      '--platform',
      'linux/amd64',
      '--build-arg',
      `BASE_REPOSITORY=${baseRepository}`,
      '--tag',
      `${repository}:bare`,
      '--push',
      context
    ],
    { env, stdio: ['ignore', 'ignore', 'inherit'] }
  )
  return (performance.now() - started) / 1000
}

function actionRun(): number {
  const output = join(scratch, 'output')
  writeFileSync(output, '')
  writeFileSync(join(scratch, 'state'), '')
  const inputs: Record<string, string> = {
    'agent-server-version': '1.23.0',
    'base-image': baseRepository,
    context: 'examples/sandbox',
    'build-args': `BASE_REPOSITORY=${baseRepository}`,
    repository,
    tag: 'action',
    'registry-username': username,
    'registry-password': password
  }
  const actionEnv: Record<string, string | undefined> = {
    ...env,
    GITHUB_WORKSPACE: root,
    GITHUB_OUTPUT: output,
    GITHUB_STATE: join(scratch, 'state'),
    RUNNER_TEMP: scratch
  }
  for (const [name, value] of Object.entries(inputs)) actionEnv[`INPUT_${name.toUpperCase()}`] = value
  const started = performance.now()
  const run = spawnSync(process.execPath, [join(root, 'dist', 'index.js')], { cwd: root, env: actionEnv, encoding: 'utf8' })
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
  const verified = /Verified in ([\d.]+) s/.exec(run.stdout)
  if (verified) verifySeconds.push(Number(verified[1]))
  return seconds
}

/** The verify phase's own time in each action run (its log's "Verified in"). */
const verifySeconds: number[] = []
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN
const fmt = (seconds: number) => `${seconds.toFixed(3)} s`

try {
  bareBuild() // warm the cache and the registry's blobs
  actionRun()
  const bare: number[] = []
  const action: number[] = []
  for (let i = 0; i < runs; i++) {
    bare.push(bareBuild())
    action.push(actionRun())
  }
  const scans: number[] = []
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    await scanContext({ context, dockerfile: join(context, 'Dockerfile') })
    scans.push((performance.now() - started) / 1000)
  }
  const added = median(action) - median(bare)
  console.log(`runs: ${runs} each, alternating, warm cache, context examples/sandbox`)
  console.log(`bare docker buildx build --push  median ${fmt(median(bare))}  (min ${fmt(Math.min(...bare))})`)
  console.log(`the action (dist/index.js)       median ${fmt(median(action))}  (min ${fmt(Math.min(...action))})`)
  console.log(`added by the action              ${fmt(added)}  (ratio ${(median(action) / median(bare)).toFixed(2)}x)`)
  console.log(`the scan on its own              median ${fmt(median(scans))}`)
  console.log(`the verify phase in the action   median ${fmt(median(verifySeconds))}  (${verifySeconds.map(fmt).join(', ')})`)
  console.log(added <= 0.5 ? 'target met: at most 0.5 s added' : 'target missed: more than 0.5 s added')
} finally {
  spawnSync('docker', ['logout', registry], { env, stdio: 'ignore' })
  rmSync(scratch, { recursive: true, force: true })
}
