/**
 * runDocker with a stand-in `docker` executable on PATH (a shell script that answers as told): exit codes, the stderr
 * tail, stdout, and stdin for the password. The same calls against the real engine are in __tests__/stack/build.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { buildxAvailable, dockerAvailable, dockerLogin, dockerLogout, runDocker } from '../../src/buildx/docker.js'
import { explainBuildFailure } from '../../src/buildx/hints.js'
import { captureStdout, scopedEnv, tempDir } from './support/capture.js'

let bin: ReturnType<typeof tempDir>
let restore: () => void

/** A `docker` that records its argv and stdin, prints what the case says and exits with its code. */
function standIn(script: string): void {
  const file = path.join(bin.dir, 'docker')
  writeFileSync(file, `#!/bin/sh\nprintf '%s\\n' "$@" > "${bin.dir}/argv"\n[ "$1" = login ] && cat > "${bin.dir}/stdin"\n${script}\n`)
  chmodSync(file, 0o755)
}
const recorded = (name: string): string => readFileSync(path.join(bin.dir, name), 'utf8')

beforeEach(() => {
  bin = tempDir('docker-stand-in-')
  restore = scopedEnv({ PATH: `${bin.dir}:/usr/bin:/bin` })
})
afterEach(() => {
  restore()
  bin.remove()
})

test('stdout whole, the stderr lines, and the exit code', async () => {
  standIn('echo out-1; echo out-2; echo err-1 >&2; echo err-2 >&2; exit 3')
  const { result } = await captureStdout(() => runDocker(['buildx', 'build', '.']))
  expect(result).toEqual({ exitCode: 3, stdout: 'out-1\nout-2\n', stderr: ['err-1', 'err-2'] })
})

test('only the last 400 stderr lines are kept: the cause comes last', async () => {
  standIn('i=0; while [ $i -lt 450 ]; do echo "line $i" >&2; i=$((i+1)); done; exit 1')
  const run = await runDocker(['build'], { silent: true })
  expect(run.stderr).toHaveLength(400)
  expect(run.stderr[0]).toBe('line 50')
  expect(run.stderr.at(-1)).toBe('line 449')
})

test('login sends the password on stdin, never in argv; Docker Hub takes no server argument', async () => {
  standIn('exit 0')
  await captureStdout(() => dockerLogin('ghcr.io', 'robot', 'pa55-word'))
  expect(recorded('argv')).toBe('login\nghcr.io\n--username\nrobot\n--password-stdin\n')
  expect(recorded('stdin')).toBe('pa55-word')
  await captureStdout(() => dockerLogin('docker.io', 'robot', 'pa55-word'))
  expect(recorded('argv')).toBe('login\n--username\nrobot\n--password-stdin\n')
  await captureStdout(() => dockerLogout('ghcr.io'))
  expect(recorded('argv')).toBe('logout\nghcr.io\n')
})

test('the probes say yes when docker and buildx answer, no when they fail', async () => {
  standIn('[ "$1" = buildx ] && exit 1; exit 0')
  expect(await dockerAvailable()).toBe(true)
  expect(await buildxAvailable()).toBe(false)
})

test('without docker on PATH: exit code 127 and the reason instead of a throw, and the probes say no', async () => {
  const restorePath = scopedEnv({ PATH: '/nonexistent' })
  try {
    const run = await runDocker(['version'], { silent: true })
    expect(run.exitCode).toBe(127)
    expect(run.stderr.at(-1)).toMatch(/^Unable to locate executable file: docker\./)
    expect(explainBuildFailure(run.stderr)).toContain('Hint: Docker is not installed on this runner.')
    expect(await dockerAvailable()).toBe(false)
    expect(await buildxAvailable()).toBe(false)
  } finally {
    restorePath()
  }
})
