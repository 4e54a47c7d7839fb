/**
 * The pull-request check as a workflow runs it: push false on a pull_request event, against the real stack, with
 * the GitHub API played by a local stand-in. Runs in CI always; skipped elsewhere when the stack is down.
 */
import { jest } from '@jest/globals'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import path from 'node:path'
import { runAction } from '../../support/action-runner.js'
import { fakeGitHub, listen, type StoredComment } from '../../support/fake-github.js'
import { BASE_REPOSITORY, REGISTRY, e2eEnabled, stackState } from '../../support/stack.js'
import { scratchDir } from '../../support/scratch.js'

const stack = await stackState()
const describeE2E = e2eEnabled(stack) ? describe : describe.skip
jest.setTimeout(120_000)

const base = `${REGISTRY}/${BASE_REPOSITORY}`

function pullRequestWorkspace(dockerfile: string): { workspace: string; eventFile: string } {
  const workspace = scratchDir('e2e-pr-')
  mkdirSync(path.join(workspace, 'image'))
  writeFileSync(path.join(workspace, 'image', 'Dockerfile'), dockerfile)
  const eventFile = path.join(workspace, 'event.json')
  writeFileSync(eventFile, JSON.stringify({ pull_request: { number: 7 }, repository: { name: 'images', owner: { login: 'acme' } } }))
  return { workspace, eventFile }
}

const prInputs = { 'agent-server-version': '1.23.0', 'base-image': base, context: 'image', push: 'false', 'github-token': 'gh-test-token' }

function prEnv(eventFile: string, apiUrl: string): Record<string, string> {
  return { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventFile, GITHUB_REPOSITORY: 'acme/images', GITHUB_API_URL: apiUrl }
}

describeE2E('pull-request check', () => {
  it('builds without pushing and keeps one comment up to date', async () => {
    const comments: StoredComment[] = []
    const requests: string[] = []
    const server = fakeGitHub(comments, requests)
    const apiUrl = await listen(server)
    try {
      const good = pullRequestWorkspace(`FROM ${base}:1.23.0-python\nRUN echo checked\n`)
      const first = await runAction(prInputs, good.workspace, prEnv(good.eventFile, apiUrl))
      expect(first.exitCode).toBe(0)
      expect(first.outputs.pushed).toBe('false')
      expect(comments).toHaveLength(1)
      expect(comments[0]?.body).toMatch(/^<!-- ohe-sandbox-image: image\/Dockerfile -->\n## OpenHands sandbox image/)
      expect(comments[0]?.body).toContain('Built for linux/amd64')

      // A later run on the same pull request, now with a base on another release: the same comment, updated.
      const bad = pullRequestWorkspace(`FROM ${base}:1.22.0-python\n`)
      const second = await runAction(prInputs, bad.workspace, prEnv(bad.eventFile, apiUrl))
      expect(second.exitCode).toBe(1)
      expect(comments).toHaveLength(1)
      expect(comments[0]?.body).toContain('| ❌ | base-image | `image/Dockerfile:1` |')
      expect(requests.filter(r => r.startsWith('POST'))).toHaveLength(1)
      expect(requests.filter(r => r.startsWith('PATCH'))).toHaveLength(1)
    } finally {
      server.close()
    }
  })

  it('passes with a warning when the GitHub API cannot be reached', async () => {
    const closed = createServer()
    const apiUrl = await listen(closed)
    await new Promise(resolve => closed.close(resolve))
    const { workspace, eventFile } = pullRequestWorkspace(`FROM ${base}:1.23.0-python\n`)
    const run = await runAction(prInputs, workspace, prEnv(eventFile, apiUrl))
    expect(run.exitCode).toBe(0)
    const warnings = run.annotations.filter(a => a.level === 'warning').map(a => a.message)
    expect(warnings.some(message => message.startsWith('Could not write the pull-request comment'))).toBe(true)
    // `::add-mask::` asks the runner to mask the token; the runner never shows that line.
    const shown = run.log.split('\n').filter(line => !line.startsWith('::add-mask::'))
    expect(shown.join('\n')).not.toContain('gh-test-token')
    expect(run.annotations.filter(a => a.level === 'warning')).toHaveLength(1)
  })
})
