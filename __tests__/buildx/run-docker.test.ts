/**
 * runDocker's deadlines, watchdog, process group, environment and workflow-command fence, with a stand-in `docker`
 * script on PATH (no engine needed; the real engine's cases are in __tests__/stack/faults.test.ts).
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runningChildren } from '../../src/buildx/children.js'
import { formatDuration, progressKey, runDocker } from '../../src/buildx/docker.js'
import { setDockerEnvironment } from '../../src/child-env.js'
import { captureStdout, scopedEnv, tempDir } from './support/capture.js'

const bin = tempDir('run-docker-bin-')
let restore: () => void

beforeAll(() => {
  writeFileSync(
    path.join(bin.dir, 'docker'),
    [
      '#!/bin/sh',
      'case "$1" in',
      '  env) env ;;',
      // A push that stops moving: the same line again with only its elapsed time changed.
      '  stall) echo "#8 pushing layer abc 1.50MB / 1.50MB 0.1s" >&2; sleep 0.3; echo "#8 pushing layer abc 1.50MB / 1.50MB 0.4s" >&2; sleep 60 ;;',
      '  progress) for i in 1 2 3 4 5 6; do echo "#8 pushing layer abc ${i}00kB / 1.50MB ${i}.0s" >&2; sleep 0.3; done ;;',
      // A child that would outlive docker if only docker were killed.
      '  child) sleep 60 & echo $! > "$2"; wait ;;',
      '  commands) echo "::warning::injected"; printf "::add-mask::partial" ;;',
      '  stdin) cat ;;',
      // A RUN that stays silent for a while, then a push that stops moving.
      '  silentrun) echo "#6 [2/2] RUN make" >&2; sleep 1.5; echo "#8 pushing layer abc 1.50MB / 1.50MB 0.1s" >&2; sleep 60 ;;',
      '  fail) echo "ERROR: it broke" >&2; exit 3 ;;',
      // A build's last steps: the image named while the step goes on (a containerd store unpacks it).
      '  named) echo "#7 naming to docker.io/library/app:1 done" >&2; sleep 0.4; printf "out\\n#7 unpacking to docker.io/library/app:1 done" >&2 ;;',
      'esac'
    ].join('\n')
  )
  chmodSync(path.join(bin.dir, 'docker'), 0o755)
  restore = scopedEnv({
    PATH: `${bin.dir}:${process.env.PATH ?? ''}`,
    'INPUT_REGISTRY-PASSWORD': 'pw-from-input',
    INPUT_SECRETS: 'a=b',
    DOCKER_HOST: 'unix:///tmp/x.sock',
    BUILDX_BUILDER: 'b1',
    HTTPS_PROXY: 'http://proxy:3128',
    AWS_PROFILE: 'ci',
    UNRELATED: 'u'
  })
})

afterAll(() => {
  setDockerEnvironment(undefined)
  restore()
  bin.remove()
})

test('the exit code, stderr lines and stdout come back; stdin carries the input', async () => {
  const failed = await runDocker(['fail'], { silent: true })
  expect(failed).toMatchObject({ exitCode: 3, stderr: ['ERROR: it broke'] })
  expect(failed.killed).toBeUndefined()
  expect((await runDocker(['stdin'], { silent: true, input: 'on stdin' })).stdout).toBe('on stdin')
})

test('onLine sees each whole line as it comes, while docker still runs', async () => {
  const seen: Array<{ line: string; at: number }> = []
  await runDocker(['named'], { silent: true, onLine: line => seen.push({ line, at: Date.now() }) })
  const ended = Date.now()
  expect(seen.map(entry => entry.line)).toEqual(['#7 naming to docker.io/library/app:1 done', 'out'])
  // docker slept 0.4 s after the first line.
  expect(ended - (seen[0]?.at ?? ended)).toBeGreaterThanOrEqual(300)
})

test('docker gets a minimal environment: PATH, DOCKER_*, BUILDX_*, proxies; never INPUT_*', async () => {
  const env = (await runDocker(['env'], { silent: true })).stdout
  expect(env).toContain('DOCKER_HOST=unix:///tmp/x.sock')
  expect(env).toContain('BUILDX_BUILDER=b1')
  expect(env).toContain('HTTPS_PROXY=http://proxy:3128')
  expect(env).toMatch(/^PATH=/m)
  expect(env).not.toContain('INPUT_')
  expect(env).not.toContain('pw-from-input')
  expect(env).not.toContain('UNRELATED')
  expect(env).not.toContain('AWS_PROFILE')
})

test('a configured environment (docker-env names) is what docker gets', async () => {
  setDockerEnvironment({ PATH: process.env.PATH ?? '', AWS_PROFILE: 'ci' })
  try {
    const env = (await runDocker(['env'], { silent: true })).stdout
    expect(env).toContain('AWS_PROFILE=ci')
    expect(env).not.toContain('DOCKER_HOST')
  } finally {
    setDockerEnvironment(undefined)
  }
})

test('the deadline kills the whole process group: the child docker started is gone too', async () => {
  const pidFile = path.join(bin.dir, 'child.pid')
  const started = Date.now()
  const run = await runDocker(['child', pidFile], { silent: true, timeoutMs: 500 })
  expect(Date.now() - started).toBeLessThan(5000)
  expect(run.killed).toMatchObject({ reason: 'deadline' })
  expect(run.exitCode).not.toBe(0)
  const child = Number(readFileSync(pidFile, 'utf8'))
  await new Promise(resolve => setTimeout(resolve, 200))
  expect(isRunning(child)).toBe(false)
  expect(runningChildren()).toEqual([])
})

test('the watchdog kills a run whose lines repeat with only the elapsed time changing', async () => {
  const started = Date.now()
  const run = await runDocker(['stall'], { silent: true, stallMs: 1000 })
  const elapsed = Date.now() - started
  expect(run.killed).toMatchObject({ reason: 'stall', lastLine: '#8 pushing layer abc 1.50MB / 1.50MB 0.4s' })
  expect(elapsed).toBeGreaterThanOrEqual(1000)
  expect(elapsed).toBeLessThan(5000)
})

test('with stallFrom, a silent RUN before the push is no stall; the push that stops moving is', async () => {
  const run = await runDocker(['silentrun'], { silent: true, stallMs: 1000, stallFrom: /^#\d+ pushing / })
  expect(run.killed).toMatchObject({ reason: 'stall', lastLine: '#8 pushing layer abc 1.50MB / 1.50MB 0.1s' })
  expect(run.killed?.afterMs).toBeGreaterThanOrEqual(2400)
  // Without it, the silent RUN itself is a stall.
  const early = await runDocker(['silentrun'], { silent: true, stallMs: 1000 })
  expect(early.killed).toMatchObject({ reason: 'stall', lastLine: '#6 [2/2] RUN make' })
})

test('byte counts that change are progress: the watchdog lets the run finish', async () => {
  const run = await runDocker(['progress'], { silent: true, stallMs: 1000 })
  expect(run.killed).toBeUndefined()
  expect(run.exitCode).toBe(0)
})

test("docker's output cannot act as a workflow command: commands are stopped around it and resumed on a line of their own", async () => {
  const { log } = await captureStdout(() => runDocker(['commands']))
  const token = /^::stop-commands::([0-9a-f]{32})$/m.exec(log)?.[1]
  expect(token).toBeDefined()
  const lines = log.split('\n')
  const stop = lines.indexOf(`::stop-commands::${token}`)
  const resume = lines.indexOf(`::${token}::`)
  expect(stop).toBeGreaterThanOrEqual(0)
  expect(lines.indexOf('::warning::injected')).toBeGreaterThan(stop)
  expect(lines.indexOf('::add-mask::partial')).toBeGreaterThan(stop)
  expect(resume).toBeGreaterThan(lines.indexOf('::add-mask::partial'))
})

test('without docker on PATH: exit code 127 and the reason', async () => {
  const restorePath = scopedEnv({ PATH: path.join(bin.dir, 'nothing') })
  try {
    const run = await runDocker(['version'], { silent: true })
    expect(run.exitCode).toBe(127)
    expect(run.stderr.at(-1)).toMatch(/^Unable to locate executable file: docker\./)
  } finally {
    restorePath()
  }
  expect(existsSync(bin.dir)).toBe(true)
})

/** Alive and not a zombie (a killed orphan waits for its new parent, maybe a container's PID 1, to reap it). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2))
  } catch {
    return false
  }
}

test.each([
  ['#8 pushing layer abc 1.50MB / 1.50MB 0.1s', '#8 pushing layer abc 1.50MB / 1.50MB'],
  ['#8 pushing layer abc 36.1s', '#8 pushing layer abc'],
  ['#8 pushing layer abc 1.2MB / 1.50MB 3s', '#8 pushing layer abc 1.2MB / 1.50MB'],
  ['#8 pushing layer abc 0.4s done', '#8 pushing layer abc done']
])('progressKey(%j)', (line, key) => {
  expect(progressKey(line)).toBe(key)
})

test.each([
  [400, '0 s'],
  [59_600, '1 min'],
  [600_000, '10 min'],
  [125_000, '2 min 5 s']
])('formatDuration(%i) = %s', (ms, text) => {
  expect(formatDuration(ms)).toBe(text)
})
