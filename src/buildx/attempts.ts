/**
 * Runs buildx, and again after a push that failed for a transient reason (5xx, 429, a reset connection), up to
 * push-retries more times with back-off. Another `buildx build --push` pushes only what is missing: the build comes
 * from the cache and the registry answers "already exists" for the layers it has.
 */
import * as core from '@actions/core'
import { escapeWorkflowCommands } from '../input-text.js'
import type { DockerCommand, DockerRun } from './docker.js'
import { classifyPushFailure, TRANSIENT, type PushFailure } from './push-failure.js'

export interface AttemptOptions {
  push: boolean
  /** Retries of a transient push failure. */
  retries: number
  /** First back-off, doubled per retry (a Retry-After the registry gave wins, up to MAX_WAIT_MS). */
  retryDelayMs: number
  /** Overall deadline of all attempts together, ms; 0 for none. */
  timeoutMs: number
  /** No-progress watchdog per attempt, ms; 0 for none. */
  stallMs: number
  /** For the retry notice: "127.0.0.1:5000/acme/app:1.0". */
  image: string
  /** The command line to log instead of args (build-arg values left out). */
  shown?: string[]
  /** Applied to docker's output before it is logged. */
  redact?: (text: string) => string
  /** Arm the watchdog from the first line (`docker push`, which is all upload) instead of at buildx's push step. */
  stallFromStart?: boolean
  /** The command only pushes (`docker push`): every error line it prints is the push's. */
  pushOnly?: boolean
  /** Each whole line of output, as it comes (DockerOptions.onLine). */
  onLine?: (line: string) => void
}

export interface Attempts {
  run: DockerRun
  attempts: number
  /** The last attempt's push failure, when it failed pushing. */
  failure?: PushFailure
}

const MAX_WAIT_MS = 60_000
/**
 * Where the watchdog starts: the export and push (docker driver: `#8 pushing <ref> with docker`; container drivers:
 * `#9 exporting to image`). Before it, a RUN may rightly stay silent for long; the overall timeout bounds that.
 */
const PUSH_PHASE = /^#\d+ (?:pushing |exporting to image\b|exporting layers\b)/

export async function runWithRetries(docker: DockerCommand, args: string[], options: AttemptOptions): Promise<Attempts> {
  const deadline = options.timeoutMs > 0 ? Date.now() + options.timeoutMs : undefined
  for (let attempt = 1; ; attempt++) {
    const remaining = deadline === undefined ? 0 : Math.max(1, deadline - Date.now())
    const run = await docker(args, {
      timeoutMs: remaining,
      stallMs: options.stallMs,
      ...(options.stallFromStart ? {} : { stallFrom: PUSH_PHASE }),
      ...(options.shown ? { shown: options.shown } : {}),
      ...(options.redact ? { redact: options.redact } : {}),
      ...(options.onLine ? { onLine: options.onLine } : {})
    })
    if (run.exitCode === 0) return { run, attempts: attempt }
    const failure = options.push && run.killed === undefined ? classifyPushFailure(run.stderr, options.pushOnly) : undefined
    if (failure === undefined || !TRANSIENT.has(failure.class) || attempt > options.retries) {
      return { run, attempts: attempt, ...(failure !== undefined ? { failure } : {}) }
    }
    const backOff = options.retryDelayMs * 2 ** (attempt - 1)
    const wait = Math.min(failure.retryAfter !== undefined ? Math.max(failure.retryAfter * 1000, backOff) : backOff, MAX_WAIT_MS)
    if (deadline !== undefined && Date.now() + wait >= deadline) return { run, attempts: attempt, failure }
    core.info(
      escapeWorkflowCommands(
        `Pushing ${options.image} failed (${failure.line}); retry ${attempt} of ${options.retries} in ${Math.round(wait / 100) / 10} s. ` +
          'The build comes from the cache and only what the registry does not have yet is pushed.'
      )
    )
    await new Promise(resolve => setTimeout(resolve, wait))
  }
}
