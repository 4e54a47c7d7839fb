/**
 * The verify phase on the real stack (scripts/e2e-stack.sh: dockerd, buildx, the htpasswd registry and the stand-in
 * agent-server bases whose server answers /alive, /health and /server_info on --port): the bundled action builds
 * the image into the engine, scans its layers and config, boots it as OHE does, and pushes only what passed.
 * Every failing case must push nothing. Runs in CI always; skipped elsewhere when the stack is down.
 */
import { jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runAction, runPostStep, type ActionRun } from '../support/action-runner.js'
import { uniqueRepository } from '../support/docker-push.js'
import { checksummed, pemKey } from '../secrets/fixtures.js'
import { BASE_REPOSITORY, REGISTRY, RegistryClient, e2eEnabled, mustBeUp, stackState } from '../e2e/stack.js'

const stack = await stackState()
const describeE2E = e2eEnabled(stack) ? describe : describe.skip
jest.setTimeout(300_000)

const base = `${REGISTRY}/${BASE_REPOSITORY}`
const workspaces: string[] = []

function workspaceWith(dockerfile: string, files: Record<string, string> = {}): string {
  const workspace = mkdtempSync(path.join(tmpdir(), 'i11-verify-'))
  workspaces.push(workspace)
  mkdirSync(path.join(workspace, 'image'))
  writeFileSync(path.join(workspace, 'image', 'Dockerfile'), dockerfile)
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(workspace, 'image', name), text)
  return workspace
}

function inputs(repository: string, extra: Record<string, string> = {}): Record<string, string> {
  const { username, password } = mustBeUp(stack)
  return { 'ohe-release': '1.23.0', 'base-image': base, context: 'image', repository, 'registry-username': username, 'registry-password': password, ...extra }
}

const nameOf = (repository: string): string => repository.slice(REGISTRY.length + 1)
const errors = (run: ActionRun): string[] => run.annotations.filter(a => a.level === 'error').map(a => a.message)

/** The action run, its post step, and the proof that nothing reached the registry and no container is left. */
async function expectNothingPushed(run: ActionRun, repository: string, workspace: string): Promise<void> {
  expect(run.exitCode).toBe(1)
  expect(run.outputs.pushed).toBe('false')
  expect(run.outputs.digest).toBeUndefined()
  expect(await new RegistryClient(mustBeUp(stack)).listTags(nameOf(repository))).toEqual([])
  await runPostStep(run, workspace)
  expect(leftovers()).toEqual([])
}

/** Containers and images the verify phase made that are still there. */
function leftovers(): string[] {
  const containers = execFileSync('docker', ['ps', '-a', '--filter', 'name=ohe-verify-', '--format', '{{.Names}}']).toString().trim()
  return containers === '' ? [] : containers.split('\n')
}

describeE2E('verify: the built image before anything is pushed', () => {
  afterAll(() => {
    for (const workspace of workspaces) rmSync(workspace, { recursive: true, force: true })
  })

  it('passes a clean image: healthy, its added size reported, and the pushed diff_ids are the verified ones', async () => {
    const repository = uniqueRepository(mustBeUp(stack), 'i11-clean')
    const workspace = workspaceWith(`FROM ${base}:1.23.0-python\nUSER root\nRUN echo baked > /opt-baked.txt\nUSER openhands\n`)
    const run = await runAction(inputs(repository), workspace)
    if (process.env.I11_DEBUG) console.log(run.log, run.summary)
    expect(errors(run)).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(run.outputs.pushed).toBe('true')
    expect(run.log).toMatch(/Healthy after \d+(\.\d+)? s; sdk_version 1\.23\.0 matches 1\.23\.0/)
    expect(run.log).toMatch(/the registry's layers are the verified ones \(2 diff_ids match\)/)
    expect(run.log).toMatch(/skipped 1 base layer\(s\)/)
    expect(run.summary).toMatch(/Boot as OHE starts it \| ✅ healthy in \d+(\.\d+)? s, sdk_version 1\.23\.0/)
    expect(run.summary).toMatch(/Size added over the base \| 1 layer\(s\), [\d.]+ (B|kB) compressed, [\d.]+ kB uncompressed/)
    // The digest is the registry's, and its config holds the layers that were verified.
    const registry = new RegistryClient(mustBeUp(stack))
    const manifest = await registry.getManifest(nameOf(repository), run.outputs.tag ?? '')
    expect(run.outputs.digest).toBe(manifest?.digest)
    expect(manifest?.json.layers).toHaveLength(2)
    await runPostStep(run, workspace)
    expect(leftovers()).toEqual([])
  })
})
