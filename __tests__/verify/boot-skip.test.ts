/**
 * The boot check's skip when no engine can run linux/amd64, with a stand-in `docker` on PATH that answers
 * `docker info` as an arm64 engine (or fails). The boot itself is tested on the real stack (__tests__/stack).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { builtInRuntime } from '../../src/release/runtime-spec.js'
import { bootCheck } from '../../src/verify/boot.js'
import { captureStdout } from '../buildx/support/capture.js'

const dir = mkdtempSync(path.join(tmpdir(), 'boot-skip-'))
const savedPath = process.env.PATH

function fakeDocker(script: string): void {
  const file = path.join(dir, 'docker')
  writeFileSync(file, `#!/bin/sh\n${script}\n`)
  chmodSync(file, 0o755)
  process.env.PATH = `${dir}:${savedPath ?? ''}`
}

afterEach(() => {
  process.env.PATH = savedPath
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const { spec, source } = builtInRuntime('test')
const options = {
  image: 'ohe-sandbox-verify:00',
  target: '1.23.0',
  spec,
  specSource: source,
  memoryBytes: 2 ** 31,
  cpus: 1,
  timeoutSeconds: 5,
  workDir: dir,
  redact: (text: string) => text
}

describe('bootCheck without an engine that runs linux/amd64', () => {
  it('skips with a notice on an arm64 engine, and runs no container', async () => {
    fakeDocker('[ "$1" = info ] && echo linux/aarch64 && exit 0\necho "unexpected: $*" >&2; exit 99')
    const { log, result } = await captureStdout(() => bootCheck(options))
    expect(result).toEqual({ ran: false, skipped: 'the Docker engine is linux/aarch64, not linux/amd64', ok: true })
    expect(log).toContain('::notice::Boot check skipped: the Docker engine is linux/aarch64, not linux/amd64.')
    expect(log).not.toContain('unexpected')
  })

  it('takes the platform answer asked earlier (beside the layer read) without asking docker again', async () => {
    fakeDocker('echo "unexpected: $*" >&2; exit 99')
    const platform = Promise.resolve('the Docker engine is linux/aarch64, not linux/amd64')
    const { log, result } = await captureStdout(() => bootCheck({ ...options, platform }))
    expect(result).toEqual({ ran: false, skipped: 'the Docker engine is linux/aarch64, not linux/amd64', ok: true })
    expect(log).not.toContain('unexpected')
  })

  it('skips with a notice when no engine answers, quoting docker', async () => {
    fakeDocker('echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock." >&2; exit 1')
    const { result } = await captureStdout(() => bootCheck(options))
    expect(result).toEqual({
      ran: false,
      skipped: 'no Docker engine answers (Cannot connect to the Docker daemon at unix:///var/run/docker.sock.)',
      ok: true
    })
  })
})
