/**
 * The bundled action (dist/index.js) resolving ohe-release through a stand-in GitHub API given as GITHUB_API_URL, as
 * a runner on GHES would: checks only (build: false), so no Docker engine is needed. Needs a fresh `npm run bundle`.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runAction, type ActionRun } from '../support/action-runner.js'
import { historyFiles } from './fixtures.js'
import { startStandInGitHub, type StandInGitHub } from './stand-in-github.js'

const token = randomBytes(20).toString('hex')
let api: StandInGitHub
let limited: StandInGitHub
let resetAt = 0
beforeAll(async () => {
  api = await startStandInGitHub({ repository: 'OpenHands/OpenHands-Cloud', releases: historyFiles(), pageSize: 5 })
  resetAt = Math.floor(Date.now() / 1000) + 1800
  limited = await startStandInGitHub({ repository: 'OpenHands/OpenHands-Cloud', releases: historyFiles(), refuse: 'rate-limit', resetAt })
})
afterAll(async () => {
  await Promise.all([api.close(), limited.close()])
})

function workspaceWith(dockerfile: string): string {
  const workspace = mkdtempSync(path.join(tmpdir(), 'action-release-'))
  mkdirSync(path.join(workspace, 'image'))
  writeFileSync(path.join(workspace, 'image', 'Dockerfile'), dockerfile)
  return workspace
}

const checksOnly = { context: 'image', build: 'false', scan: 'false', 'github-token': token }
const run = (inputs: Record<string, string>, dockerfile: string, server: StandInGitHub = api): Promise<ActionRun> =>
  runAction({ ...checksOnly, ...inputs }, workspaceWith(dockerfile), { GITHUB_API_URL: server.url })

const errorsOf = (result: ActionRun) => result.annotations.filter(annotation => annotation.level === 'error').map(annotation => annotation.message)

describe('ohe-release through the GitHub API at GITHUB_API_URL', () => {
  it('0.23.1 ships 1.36.0: a Dockerfile on 1.36.0-python passes; outputs and summary say which OHE releases it fits', async () => {
    const result = await run({ 'ohe-release': 'v0.23.1' }, 'FROM ghcr.io/openhands/agent-server:1.36.0-python\n')
    expect(errorsOf(result)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(result.outputs).toMatchObject({
      'ohe-release': '0.23.1',
      'agent-server-version': '1.36.0',
      'base-image': 'ghcr.io/openhands/agent-server:1.36.0-python'
    })
    expect(result.log).toContain('OHE release 0.23.1 ships agent-server 1.36.0-python (replicated/config.yaml)')
    expect(result.summary).toContain('- OHE release: `0.23.1`, which ships agent-server `1.36.0`')
    expect(result.summary).toContain('- Fits: agent-server 1.36.0: OHE 0.16.2 to 0.33.0')
    // The token went to the API as github-token, and nowhere else.
    expect(api.requests.some(request => request.endsWith(`auth=token ${token}`))).toBe(true)
    // `::add-mask::` asks the runner to mask the value; the runner never shows that line.
    expect(
      result.log
        .split('\n')
        .filter(line => !line.startsWith('::add-mask::'))
        .join('\n')
    ).not.toContain(token)
    expect(result.summary).not.toContain(token)
  })

  it('0.45.0 ships 1.41.0: a Dockerfile still on 1.36.0 fails the base check, on its FROM line', async () => {
    const result = await run({ 'ohe-release': '0.45.0' }, 'FROM ghcr.io/openhands/agent-server:1.36.0-python\nUSER openhands\n')
    expect(result.exitCode).toBe(1)
    expect(result.outputs).toMatchObject({ 'ohe-release': '0.45.0', 'agent-server-version': '1.41.0' })
    const fromLine = result.annotations.find(annotation => annotation.level === 'error' && annotation.properties.line === '1')
    expect(fromLine?.message).toContain('1.36.0-python')
    expect(fromLine?.message).toContain('1.41.0')
  })

  it('an unknown release: one line naming the nearest releases, nothing checked', async () => {
    const result = await run({ 'ohe-release': '0.46.0' }, 'FROM ghcr.io/openhands/agent-server:1.41.0-python\n')
    expect(result.exitCode).toBe(1)
    expect(errorsOf(result)).toEqual([
      `ohe-release 0.46.0 is not an OHE release in OpenHands/OpenHands-Cloud at ${api.url} (nearest: 0.34.0, 0.45.0, 0.50.0): set ohe-release to one of its releases, e.g. 0.50.0.`
    ])
    expect(result.log).not.toMatch(/\n\s+at /)
    expect(result.outputs).not.toHaveProperty('base-image')
  })

  it('the API rate limit: one line with the reset time and what to set, exit 1', async () => {
    const result = await run({ 'ohe-release': 'latest' }, 'FROM ghcr.io/openhands/agent-server:1.41.0-python\n', limited)
    expect(result.exitCode).toBe(1)
    const errors = errorsOf(result)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(
      `rate limit reached at ${limited.url} reading the openhands/* tags of OpenHands/OpenHands-Cloud with github-token (HTTP 403; it resets at ${new Date(resetAt * 1000).toISOString()}`
    )
    expect(errors[0]).toContain('or set release-map to a workspace file')
    expect(result.outputs).not.toHaveProperty('base-image')
  })
})
