/**
 * runChecks on real files: release build-args, the exact fix for a literal tag, the layered path (with an in-memory
 * reader; layered-registry.test.ts uses the real registry), and the uncommitted-files advice in a real git checkout.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { ImageReference } from '../../src/grammar.js'
import type { Inputs } from '../../src/inputs.js'
import { BASE_NAME_LABEL, type ReadImage } from '../../src/image/layered.js'
import { runChecks, type CheckResult } from '../../src/phases/check.js'
import { captureStdout } from '../buildx/support/capture.js'
import { testInputs } from '../support/inputs.js'
import { scratchDir } from '../support/scratch.js'

const BASE = 'ghcr.io/openhands/agent-server'
const folders: string[] = []
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true })
})

/** A workspace with image/Dockerfile; inputs as readInputs would give them for context: image. */
function workspaceWith(dockerfile: string): { workspace: string; inputs: (changes?: Partial<Inputs>) => Inputs } {
  const workspace = scratchDir('check-phase-')
  folders.push(workspace)
  const context = path.join(workspace, 'image')
  mkdirSync(context)
  writeFileSync(path.join(context, 'Dockerfile'), dockerfile)
  return { workspace, inputs: changes => testInputs(context, { 'base-image': BASE, ...changes }) }
}

/** A reader that must not be called: the Dockerfile names the base image directly. */
const noRegistry: ReadImage = image => Promise.reject(new Error(`unexpected registry read of ${image.repository}`))

async function checked(
  dockerfile: string,
  release: string,
  changes: Partial<Inputs> = {},
  read = noRegistry
): Promise<{ result: CheckResult; log: string; file: string }> {
  const { workspace, inputs } = workspaceWith(dockerfile)
  const given = inputs(changes)
  const run = await captureStdout(() => runChecks(given, release, workspace, read))
  if (run.error !== undefined || run.result === undefined) throw run.error
  return { result: run.result, log: run.log, file: given.file }
}

describe('runChecks: the base version from an ARG follows the release', () => {
  const argDockerfile = `ARG AGENT_SERVER_VERSION=1.23.0\nFROM ${BASE}:\${AGENT_SERVER_VERSION}-python\nRUN true\n`

  it('returns the build-arg, checks with it and logs it', async () => {
    const { result, log } = await checked(argDockerfile, '1.24.0')
    expect(result.releaseBuildArgs).toEqual({ AGENT_SERVER_VERSION: '1.24.0' })
    expect(result.findings).toEqual([])
    expect(result.dockerfile.base).toEqual({ reference: `${BASE}:1.24.0-python`, line: 2, version: '1.24.0' })
    expect(result.layered).toBeUndefined()
    expect(log).toContain(
      'ARG AGENT_SERVER_VERSION (image/Dockerfile line 1) holds the base version 1.23.0: building with --build-arg AGENT_SERVER_VERSION=1.24.0\n'
    )
  })

  it('adds nothing when the default already is the release', async () => {
    const { result } = await checked(argDockerfile, '1.23.0')
    expect(result.releaseBuildArgs).toEqual({})
    expect(result.findings).toEqual([])
  })

  it('never overrides the build-arg the user set; the finding names it', async () => {
    const { result, file } = await checked(argDockerfile, '1.24.0', { 'build-args': { AGENT_SERVER_VERSION: '1.22.0' } })
    expect(result.releaseBuildArgs).toEqual({})
    expect(result.findings).toEqual([
      {
        check: 'base-image',
        severity: 'error',
        file,
        line: 2,
        message: `Base image tag 1.22.0-python does not match agent-server 1.24.0: change the build-arg AGENT_SERVER_VERSION from 1.22.0 to 1.24.0 (build-args input), so that FROM at line 2 gives ${BASE}:1.24.0-python`
      }
    ])
  })
})

describe('runChecks: a literal base tag', () => {
  it('a mismatch says which file and line to change, from what to what', async () => {
    const { result, file } = await checked(`# syntax=docker/dockerfile:1\nFROM ${BASE}:1.23.0-python AS sandbox\nUSER openhands\n`, '1.24.0')
    expect(result.releaseBuildArgs).toEqual({})
    expect(result.findings).toEqual([
      {
        check: 'base-image',
        severity: 'error',
        file,
        line: 2,
        message: `Base image tag 1.23.0-python does not match agent-server 1.24.0: in image/Dockerfile line 2, change FROM ${BASE}:1.23.0-python to ${BASE}:1.24.0-python`
      }
    ])
  })
})

describe('runChecks: a root on another image is checked as a layered image', () => {
  const HOTFIX = 'ghcr.io/acme/openhands-sandbox:1.23.0-a1b2c3d'
  const reads: string[] = []
  const registry: ReadImage = async (image: ImageReference) => {
    reads.push(`${image.registry}/${image.repository}:${image.tag ?? ''}`)
    return { digest: `sha256:${'1'.repeat(64)}`, labels: { [BASE_NAME_LABEL]: `${BASE}:1.23.0-python` } }
  }

  it('puts the layered finding first, keeps the other findings, and returns the chain', async () => {
    const { result, file } = await checked(`FROM ${HOTFIX}\nUSER root\nRUN fix\n`, '1.24.0', {}, registry)
    expect(reads).toEqual([HOTFIX])
    expect(result.findings.map(({ check, severity, line, file: where }) => ({ check, severity, line, file: where }))).toEqual([
      { check: 'base-image', severity: 'error', line: 1, file },
      { check: 'user', severity: 'warning', line: 2, file }
    ])
    expect(result.findings[0]?.message).toBe(
      `FROM ${HOTFIX} is built on ${BASE}:1.23.0-python, but the target agent-server 1.24.0 needs 1.24.0-python: rebuild the layered base on 1.24.0-python first`
    )
    expect(result.layered).toEqual({
      line: 1,
      ok: false,
      agentServer: `${BASE}:1.23.0-python`,
      chain: [{ reference: HOTFIX, digest: `sha256:${'1'.repeat(64)}` }, { reference: `${BASE}:1.23.0-python` }]
    })
  })

  it('a stage-name typo is not sent to a registry', async () => {
    const { result } = await checked(`FROM ${BASE}:1.23.0-python AS builder\nFROM buidler\n`, '1.23.0')
    expect(result.layered).toBeUndefined()
    expect(result.findings.map(finding => finding.check)).toEqual(['base-image'])
    expect(result.findings[0]?.message).toContain("(buidler is not a stage name; did you mean stage 'builder' at line 1?)")
  })
})

describe('runChecks: the uncommitted-files advice', () => {
  it('still warns about uncommitted files in the build context', async () => {
    const { workspace, inputs } = workspaceWith(`FROM ${BASE}:1.23.0-python\n`)
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: workspace, stdio: 'pipe' })
    git('init', '-q')
    git('add', 'image/Dockerfile')
    git('commit', '-q', '-m', 'Dockerfile')
    writeFileSync(path.join(workspace, 'image', 'notes.txt'), 'draft\n')
    const given = inputs()
    const run = await captureStdout(() => runChecks(given, '1.23.0', workspace, noRegistry))
    expect(run.result?.findings).toEqual([
      {
        check: 'uncommitted-changes',
        severity: 'warning',
        message: 'image/notes.txt is not committed, so the image would hold unreviewed source. Commit it, or exclude it in .dockerignore.',
        file: path.join(given.context, 'notes.txt'),
        line: 1
      }
    ])
  })
})
