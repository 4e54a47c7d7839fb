/**
 * The agent-server runtime contract, compared between two image configs as the registry holds them: the base the
 * image was built on and the image that was pushed. Pure, so every rule is a row of a table test.
 */
import type { Severity } from '../findings.js'
import type { ImageConfig } from '../registry/client.js'

export type ContractCheck = 'Entrypoint' | 'Cmd' | 'User' | 'Exposed ports'

/** One line of the summary table. */
export interface ContractRow {
  check: ContractCheck
  /** What the base has (for User: what is expected of the image). */
  expected: string
  /** What the pushed image has. */
  found: string
  verdict: 'pass' | Severity
}

export interface ContractProblem {
  check: ContractCheck
  severity: Severity
  message: string
}

export interface ContractResult {
  /** One row per check, always in the order Entrypoint, Cmd, User, Exposed ports. */
  rows: ContractRow[]
  problems: ContractProblem[]
}

const NONE = '(none)'
const HEALTH = 'OpenHands starts the sandbox with its own arguments (--host … --port …) after the base entrypoint, so this image would never become healthy'

export function compareContract(base: ImageConfig, image: ImageConfig): ContractResult {
  const rows: ContractRow[] = []
  const problems: ContractProblem[] = []
  const add = (row: ContractRow, message?: string): void => {
    rows.push(row)
    if (row.verdict !== 'pass' && message !== undefined) problems.push({ check: row.check, severity: row.verdict, message })
  }

  const baseEntrypoint = showCommand(base.Entrypoint)
  const imageEntrypoint = showCommand(image.Entrypoint)
  add(
    { check: 'Entrypoint', expected: baseEntrypoint, found: imageEntrypoint, verdict: sameCommand(base.Entrypoint, image.Entrypoint) ? 'pass' : 'error' },
    // The Dockerfile may set no ENTRYPOINT at all: an image it is built FROM can have changed it (a layered base).
    `The pushed image's Entrypoint is ${imageEntrypoint}, its base's is ${baseEntrypoint}: ${HEALTH}. ` +
      'Remove ENTRYPOINT from the Dockerfile and from any image it is built FROM; the OpenHands docs say never to set ENTRYPOINT or CMD in a custom sandbox image.'
  )

  const baseCmd = showCommand(base.Cmd)
  const imageCmd = showCommand(image.Cmd)
  add(
    { check: 'Cmd', expected: baseCmd, found: imageCmd, verdict: sameCommand(base.Cmd, image.Cmd) ? 'pass' : 'error' },
    `The pushed image's Cmd is ${imageCmd}, its base's is ${baseCmd}: ${HEALTH}. ` +
      'Remove CMD (and ENTRYPOINT, which resets CMD) from the Dockerfile and from any image it is built FROM.'
  )

  const baseUser = base.User ?? ''
  const imageUser = image.User ?? ''
  const root = isRoot(imageUser)
  add(
    {
      check: 'User',
      expected: baseUser && !isRoot(baseUser) ? baseUser : '(not root)',
      found: imageUser || '(not set: root)',
      verdict: root ? 'warning' : 'pass'
    },
    `The pushed image runs as ${imageUser ? `user ${imageUser}` : 'root (User is not set)'}` +
      `${baseUser ? `, its base as ${baseUser}` : ''}: OpenHands expects the agent-server user openhands (UID 10001). ` +
      'End the Dockerfile with USER openhands after the steps that need root.'
  )

  const basePorts = portsOf(base.ExposedPorts)
  const imagePorts = new Set(portsOf(image.ExposedPorts))
  const missing = basePorts.filter(port => !imagePorts.has(port))
  add(
    {
      check: 'Exposed ports',
      expected: basePorts.join(', ') || NONE,
      found: [...imagePorts].sort(comparePorts).join(', ') || NONE,
      verdict: missing.length > 0 ? 'error' : 'pass'
    },
    `The pushed image no longer exposes ${missing.join(', ')}, which its base exposes: the agent-server listens there. ` +
      'Keep the base configuration (do not rebuild the image from a different base or reset its config).'
  )
  return { rows, problems }
}

/** root by name or by UID 0, with or without a group; an empty User means root. */
export function isRoot(user: string): boolean {
  const name = user.trim().split(':')[0] ?? ''
  return name === '' || name === 'root' || /^0+$/.test(name)
}

/** null, absent and [] all mean "none" in an image config (Docker writes each of them). */
function sameCommand(a: string[] | null | undefined, b: string[] | null | undefined): boolean {
  const left = a ?? []
  const right = b ?? []
  return left.length === right.length && left.every((word, i) => word === right[i])
}

/** The exec form, as in a Dockerfile: ["tini","--","/usr/local/bin/openhands-agent-server"]. */
export function showCommand(command: string[] | null | undefined): string {
  return command && command.length > 0 ? JSON.stringify(command) : NONE
}

/** `8000` and `8000/tcp` are the same port: Docker adds /tcp when EXPOSE names no protocol. */
function portsOf(ports: Record<string, object> | null | undefined): string[] {
  const names = Object.keys(ports ?? {}).map(port => (port.includes('/') ? port.toLowerCase() : `${port}/tcp`))
  return [...new Set(names)].sort(comparePorts)
}

function comparePorts(a: string, b: string): number {
  return Number.parseInt(a, 10) - Number.parseInt(b, 10) || a.localeCompare(b)
}
