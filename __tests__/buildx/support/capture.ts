import { jest } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

/**
 * Everything written to process.stdout while `fn` runs: @actions/core's commands and the output @actions/exec streams
 * from docker. Returned even when `fn` throws, so a test can check a failure's log too.
 */
export async function captureStdout<T>(fn: () => Promise<T>): Promise<{ log: string; result?: T; error?: unknown }> {
  let log = ''
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    log += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()
    return true
  })
  try {
    const result = await fn()
    return { log, result }
  } catch (error) {
    return { log, error }
  } finally {
    spy.mockRestore()
  }
}

/** Values the code under test saved with core.saveState (printed as `::save-state` when GITHUB_STATE is unset). */
export function savedState(log: string): Record<string, string> {
  const state: Record<string, string> = {}
  for (const match of log.matchAll(/^::save-state name=([^:]+)::(.*)$/gm)) {
    if (match[1] !== undefined) state[match[1]] = match[2] ?? ''
  }
  return state
}

/**
 * Sets environment variables for one test file and restores them after; `undefined` removes one. A private
 * DOCKER_CONFIG keeps logins made by tests out of the machine's own ~/.docker.
 */
export function scopedEnv(values: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map(name => [name, process.env[name]]))
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
}

export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}
