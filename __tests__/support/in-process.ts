/**
 * Runs main.run() in this process as a runner would start it, with a fake docker and a memory registry instead of
 * a Docker engine: inputs from a record, the runner's files (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_STATE) in a
 * temp dir, and everything the step printed captured.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { PullRequestTarget } from '../../src/github/comment.js'
import { run } from '../../src/main.js'
import type { CosignCommand } from '../../src/sign/sign.js'
import { captureStdout, scopedEnv } from '../buildx/support/capture.js'
import { parseAnnotations, parseOutputFile, type Annotation } from './action-runner.js'
import type { FakeDocker } from './fake-docker.js'
import { scratchDir } from './scratch.js'

export const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'

// @actions/core's summary keeps the first path it was given for the life of the process (one run, on a runner), so
// every in-process run of this test file writes the same file, emptied before each run.
const summaryFile = path.join(scratchDir('in-process-summary-'), 'summary')
export const COMMIT_TIME = new Date('2026-11-02T10:00:00Z')

export interface InProcessRun {
  exitCode: number
  log: string
  outputs: Record<string, string>
  state: Record<string, string>
  annotations: Annotation[]
  summary: string
  comments: Array<{ apiUrl: string; token: string; marker: string; markdown: string }>
}

export interface InProcessSetup {
  workspace: string
  docker: FakeDocker
  pullRequest?: PullRequestTarget
  env?: Record<string, string>
  /** A fake cosign (sign: true); the runner's cosign when not given. */
  cosign?: CosignCommand
}

export async function runInProcess(inputs: Record<string, string>, setup: InProcessSetup): Promise<InProcessRun> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'in-process-run-'))
  const file = (name: string): string => {
    const at = path.join(scratch, name)
    writeFileSync(at, '')
    return at
  }
  const env: Record<string, string> = {
    GITHUB_WORKSPACE: setup.workspace,
    GITHUB_OUTPUT: file('output'),
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_STATE: file('state'),
    GITHUB_SHA: SHA,
    GITHUB_REPOSITORY: 'acme/sandbox-images',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'http://127.0.0.1:9/api',
    RUNNER_TEMP: path.join(scratch, 'temp'),
    DOCKER_CONFIG: path.join(scratch, 'docker'),
    ...setup.env
  }
  mkdirSync(env.RUNNER_TEMP as string)
  writeFileSync(summaryFile, '')
  const comments: InProcessRun['comments'] = []
  // @actions/core writes its files where process.env says; the run itself reads only what io.env gives it.
  const restore = scopedEnv({ ...env, ...Object.fromEntries(Object.keys(inputs).map(name => [`INPUT_${name.toUpperCase()}`, undefined])) })
  const savedExitCode = process.exitCode
  process.exitCode = undefined
  try {
    const { log } = await captureStdout(() =>
      run({
        input: name => inputs[name] ?? '',
        env,
        cwd: setup.workspace,
        // No engine to load and run images in: the verify phase says so and the fake build pushes.
        build: { docker: setup.docker.command, commitTime: async () => COMMIT_TIME, now: () => new Date(), engineAvailable: async () => false },
        pullRequest: async () => setup.pullRequest,
        ...(setup.cosign ? { cosign: setup.cosign } : {}),
        comment: async (token, apiUrl, _target, marker, markdown) => {
          comments.push({ token, apiUrl, marker, markdown })
        }
      })
    )
    return {
      exitCode: typeof process.exitCode === 'number' ? process.exitCode : 0,
      log,
      outputs: parseOutputFile(readFileSync(env.GITHUB_OUTPUT as string, 'utf8')),
      state: parseOutputFile(readFileSync(env.GITHUB_STATE as string, 'utf8')),
      annotations: parseAnnotations(log),
      summary: readFileSync(env.GITHUB_STEP_SUMMARY as string, 'utf8'),
      comments
    }
  } finally {
    process.exitCode = savedExitCode
    restore()
    rmSync(scratch, { recursive: true, force: true })
  }
}
