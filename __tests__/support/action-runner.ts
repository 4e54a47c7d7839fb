import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { scratchDir } from './scratch.js'

export const distEntry = path.resolve('dist', 'index.js')

export interface Annotation {
  level: 'error' | 'warning' | 'notice'
  message: string
  properties: Record<string, string>
}

export interface ActionRun {
  exitCode: number
  /** Everything the action printed, stdout then stderr. */
  log: string
  outputs: Record<string, string>
  /** What the step saved for its post step (core.saveState). */
  state: Record<string, string>
  /** Every value the step saved under each name, in order (a later save replaces an earlier one in `state`). */
  savedValues?: Record<string, string[]>
  /** The run's own docker config folder: a fresh runner's, so no test leaks a docker login into another. */
  dockerConfig: string
  /** The engine the run was given (DOCKER_HOST), if any: its post step gets the same. */
  dockerHost?: string
  annotations: Annotation[]
  summary: string
}

/**
 * Runs the bundled action as a runner does: inputs as INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY
 * files, a workspace; nothing is inherited from the test's own GitHub environment.
 */
export async function runAction(
  inputs: Record<string, string>,
  workspace: string,
  extraEnv: Record<string, string> = {},
  /** Cancel the step as the runner does, `cancelDelayMs` after its output first matches `cancelWhen`. */
  options: { cancelWhen?: RegExp; cancelDelayMs?: number } = {}
): Promise<ActionRun> {
  if (!existsSync(distEntry)) throw new Error('dist/index.js is missing: run npm run bundle first')
  const scratch = scratchDir('action-run-')
  const outputFile = path.join(scratch, 'output')
  const summaryFile = path.join(scratch, 'summary')
  const stateFile = path.join(scratch, 'state')
  writeFileSync(stateFile, '')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith('INPUT_') && !name.startsWith('GITHUB_') && !name.startsWith('RUNNER_')) env[name] = value
  }
  Object.assign(env, {
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_STATE: stateFile,
    GITHUB_SHA: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
    GITHUB_REPOSITORY: 'acme/sandbox-images',
    GITHUB_SERVER_URL: 'https://github.com',
    RUNNER_TEMP: scratch,
    DOCKER_CONFIG: path.join(scratch, 'docker'),
    ...extraEnv
  })
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value

  const child = spawn(process.execPath, [distEntry], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const chunks: Buffer[] = []
  const errors: Buffer[] = []
  let cancelling = false
  child.stdout.on('data', (chunk: Buffer) => {
    chunks.push(chunk)
    if (options.cancelWhen === undefined || cancelling || !options.cancelWhen.test(Buffer.concat(chunks).toString('utf8'))) return
    cancelling = true
    // The runner cancels with SIGINT, then SIGTERM, to the action's node process only. SIGTERM here: a shell that
    // starts jest in the background leaves SIGINT ignored, and node inherits that.
    setTimeout(() => child.kill('SIGTERM'), options.cancelDelayMs ?? 0)
  })
  child.stderr.on('data', (chunk: Buffer) => errors.push(chunk))
  const exitCode = await new Promise<number>(resolve => {
    child.on('close', code => resolve(code ?? -1))
    // After a cancel, a docker the step left running may still hold the step's output pipe: its exit is the end then.
    child.on('exit', code => {
      if (!cancelling) return
      setTimeout(() => {
        child.stdout.destroy()
        child.stderr.destroy()
        resolve(code ?? -1)
      }, 300)
    })
  })
  const stdout = Buffer.concat(chunks).toString('utf8')
  return {
    exitCode,
    log: stdout + Buffer.concat(errors).toString('utf8'),
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    state: parseOutputFile(readFileSync(stateFile, 'utf8')),
    savedValues: parseOutputRecords(readFileSync(stateFile, 'utf8')),
    dockerConfig: env.DOCKER_CONFIG ?? '',
    ...(extraEnv.DOCKER_HOST === undefined ? {} : { dockerHost: extraEnv.DOCKER_HOST }),
    annotations: parseAnnotations(stdout),
    summary: readFileSync(summaryFile, 'utf8')
  }
}

/** Runs the post step as the runner does after the main step: its saved state comes back as STATE_* variables. */
export async function runPostStep(main: ActionRun, workspace: string): Promise<ActionRun> {
  const state = Object.fromEntries(Object.entries(main.state).map(([name, value]) => [`STATE_${name}`, value]))
  return runAction({}, workspace, { ...state, DOCKER_CONFIG: main.dockerConfig, ...(main.dockerHost === undefined ? {} : { DOCKER_HOST: main.dockerHost }) })
}

/** GITHUB_OUTPUT and GITHUB_STATE hold `name<<delimiter\nvalue\ndelimiter` records: the last value of each name. */
export function parseOutputFile(text: string): Record<string, string> {
  return Object.fromEntries(Object.entries(parseOutputRecords(text)).map(([name, values]) => [name, values.at(-1) ?? '']))
}

/** Every value of each name, in the order written. */
export function parseOutputRecords(text: string): Record<string, string[]> {
  const outputs: Record<string, string[]> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const header = /^([^<]+)<<(.+)$/.exec(lines[i] ?? '')
    if (!header) continue
    const [, name = '', delimiter] = header
    const value: string[] = []
    while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i] ?? '')
    ;(outputs[name] ??= []).push(value.join('\n'))
  }
  return outputs
}

const unescapeData = (text: string) => text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
const unescapeProperty = (text: string) => unescapeData(text).replace(/%3A/g, ':').replace(/%2C/g, ',')

/**
 * Workflow commands `::error file=f,line=3,title=t::message` as the runner reads them: none between
 * `::stop-commands::<token>` and `::<token>::`.
 */
export function parseAnnotations(stdout: string): Annotation[] {
  const annotations: Annotation[] = []
  let stopped: string | undefined
  for (const line of stdout.split(/\r?\n/)) {
    if (stopped !== undefined) {
      if (line === `::${stopped}::`) stopped = undefined
      continue
    }
    const stop = /^::stop-commands::(.+)$/.exec(line)
    if (stop) {
      stopped = stop[1]
      continue
    }
    const command = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line)
    if (!command) continue
    const properties: Record<string, string> = {}
    for (const pair of (command[2] ?? '').split(',').filter(Boolean)) {
      const equals = pair.indexOf('=')
      properties[pair.slice(0, equals)] = unescapeProperty(pair.slice(equals + 1))
    }
    annotations.push({ level: command[1] as Annotation['level'], message: unescapeData(command[3] ?? ''), properties })
  }
  return annotations
}
