/**
 * The post step ends the docker process groups a cancelled main step left running, and nothing else: a group whose
 * docker leader is gone but whose children remain is ended; a pid now held by some other program is left alone.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { parseProcessGroups } from '../../src/buildx/children.js'
import { endLeftoverProcesses } from '../../src/buildx/post.js'
import { captureStdout } from './support/capture.js'

function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2))
  } catch {
    return false
  }
}

/** A detached group whose leader exits at once and leaves `sleep 60` behind; returns the group id and the sleep's pid. */
async function orphanedGroup(): Promise<{ pgid: number; child: number }> {
  const leader = spawn('sh', ['-c', 'sleep 60 >/dev/null 2>&1 & echo $!'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] })
  let out = ''
  leader.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
  await new Promise(resolve => leader.on('close', resolve))
  return { pgid: leader.pid ?? 0, child: Number(out.trim()) }
}

test('parseProcessGroups keeps positive integers only', () => {
  expect(parseProcessGroups('12, 345,abc,-3,0,,99999999999')).toEqual([12, 345])
  expect(parseProcessGroups('')).toEqual([])
})

test('a group left behind is ended, with a warning naming it', async () => {
  const { pgid, child } = await orphanedGroup()
  expect(isRunning(child)).toBe(true)
  const { log, result } = await captureStdout(() => endLeftoverProcesses([pgid], 2000))
  expect(result).toEqual([pgid])
  expect(log).toContain(`::warning::Ending 1 docker process group(s) the main step left running (it was cancelled or timed out): ${pgid}`)
  await new Promise(resolve => setTimeout(resolve, 200))
  expect(isRunning(child)).toBe(false)
})

test('a live group led by another program is not ours: left alone', async () => {
  const other = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' })
  try {
    const pid = other.pid ?? 0
    const { result, log } = await captureStdout(() => endLeftoverProcesses([pid], 500))
    expect(result).toEqual([])
    expect(log).toBe('')
    expect(isRunning(pid)).toBe(true)
  } finally {
    other.kill('SIGKILL')
  }
})

test('nothing saved or nothing left: no warning', async () => {
  const { log, result } = await captureStdout(() => endLeftoverProcesses([999_999_999]))
  expect(result).toEqual([])
  expect(log).toBe('')
})
