import * as core from '@actions/core'
import { readFileSync } from 'node:fs'
import { STATE } from './state.js'

/**
 * The docker process groups this step started and that are still running, saved in the step's state on every change,
 * so the post step can end any that outlived a cancelled or killed main step.
 */
const running = new Set<number>()
let tracking = false

/** The main step of the action turns this on; in-process uses (tests, benches) leave no state behind. */
export function trackChildrenForPostStep(on: boolean): void {
  tracking = on
}

export function rememberChild(pid: number): void {
  running.add(pid)
  save()
}

export function forgetChild(pid: number): void {
  running.delete(pid)
  save()
}

export function runningChildren(): number[] {
  return [...running]
}

function save(): void {
  if (!tracking) return
  try {
    core.saveState(STATE.processGroups, [...running].join(','))
  } catch {
    // No state file (outside a runner): nothing for a post step to read anyway.
  }
}

/** The saved process group ids: positive integers only, whatever the state holds. */
export function parseProcessGroups(text: string): number[] {
  return text
    .split(',')
    .map(part => part.trim())
    .filter(part => /^[1-9]\d{0,9}$/.test(part))
    .map(Number)
}

/**
 * Whether the process `pid` is still a docker process (a group leader this action started): its command line names
 * docker. A pid reused by something else since then is left alone.
 */
export function isDockerProcess(pid: number): boolean {
  try {
    const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? ''
    return /(?:^|\/)docker(?:-buildx)?$/.test(argv0)
  } catch {
    return false
  }
}

/**
 * Whether the saved group `pgid` is still ours to end: some process of it is alive, and its leader is either a docker
 * process or gone (Linux does not hand out a pid that is still a live group's id, so the group is the one we made).
 */
export function isLeftoverGroup(pgid: number): boolean {
  if (!groupAlive(pgid)) return false
  try {
    readFileSync(`/proc/${pgid}/cmdline`)
  } catch {
    return true
  }
  return isDockerProcess(pgid)
}

/** Whether any process of the group `pgid` is alive. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}
