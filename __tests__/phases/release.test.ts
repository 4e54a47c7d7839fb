/**
 * resolveRelease: agent-server-version passes through without any API; ohe-release is resolved through a release-map
 * file or, without one, through a stand-in GitHub API on 127.0.0.1 (real Octokit calls), with the fit range.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { UserError } from '../../src/errors.js'
import type { Inputs } from '../../src/inputs.js'
import { BUILT_IN, BUILT_IN_OPTIONS } from '../../src/kots/config-values.js'
import { resolveRelease } from '../../src/phases/release.js'
import type { ReleaseSource } from '../../src/release/github.js'
import { builtInRuntime, REPLICATED_CHART_FILE, RUNTIME_VALUES_FILE } from '../../src/release/runtime-spec.js'
import { replicatedChartYaml, runtimeValuesYaml } from '../release/runtime-fixtures.js'
import { closedPort } from '../registry/stand-in-registry.js'
import { HISTORY, historyFiles } from '../release/fixtures.js'
import { startStandInGitHub, type StandInGitHub } from '../release/stand-in-github.js'
import { testInputs } from '../support/inputs.js'

let dir: string
let api: StandInGitHub
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'release-phase-'))
  api = await startStandInGitHub({ repository: 'OpenHands/OpenHands-Cloud', releases: historyFiles(), pageSize: 5 })
})
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true })
  await api.close()
})

const MAP = '# OHE release: agent-server tag\n"0.16.2": 1.36.0-python\n"0.33.0": 1.36.0-python\n"0.45.0": 1.41.0-python\n"0.50.0": 1.41.0-python\n'

function mapFile(text = MAP): string {
  const file = path.join(mkdtempSync(path.join(dir, 'map-')), 'release-map.yaml')
  writeFileSync(file, text)
  return file
}

function inputs(changes: Partial<Inputs>): Inputs {
  return testInputs(dir, { 'agent-server-version': '', 'github-token': 'test-token', ...changes })
}

async function failure(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise
  } catch (thrown) {
    expect(thrown).toBeInstanceOf(UserError)
    return thrown as UserError
  }
  throw new Error('expected a UserError')
}

describe('resolveRelease: agent-server-version', () => {
  it.each(['1.23.0', '1.41.0', '10.0.0'])('%s passes through without asking any API', async version => {
    // The API URL is a port nothing listens on: a call would fail the test.
    const apiUrl = `http://127.0.0.1:${await closedPort()}`
    await expect(resolveRelease(testInputs(dir, { 'agent-server-version': version }), { apiUrl })).resolves.toEqual({
      version,
      oheRelease: '',
      mapTag: '',
      latest: false,
      // No config.yaml read: the ConfigValues file uses the built-in option names.
      adminConsole: BUILT_IN,
      runtime: builtInRuntime('agent-server-version is pinned, so no OHE release was read')
    })
  })

  it('with a release-map, says which OHE releases ship it', async () => {
    const resolved = await resolveRelease(testInputs(dir, { 'agent-server-version': '1.36.0', 'release-map': mapFile() }), { apiUrl: 'http://127.0.0.1:9' })
    expect(resolved.fits).toEqual({ agentServer: '1.36.0', first: '0.16.2', last: '0.33.0', count: 2 })
  })
})

describe('resolveRelease: ohe-release through a release-map file (no API)', () => {
  const apiUrl = 'http://127.0.0.1:9'
  it.each([
    [
      { kind: 'release', version: '0.45.0' } as const,
      { version: '1.41.0', oheRelease: '0.45.0', mapTag: '1.41.0-python', latest: false, adminConsole: BUILT_IN }
    ],
    [{ kind: 'latest' } as const, { version: '1.41.0', oheRelease: '0.50.0', mapTag: '1.41.0-python', latest: true, adminConsole: BUILT_IN }]
  ])('%j', async (release, expected) => {
    const resolved = await resolveRelease(inputs({ 'ohe-release': release, 'release-map': mapFile() }), { apiUrl, shownMap: 'ohe/map.yaml' })
    expect(resolved).toEqual({
      ...expected,
      fits: { agentServer: '1.41.0', first: '0.45.0', last: '0.50.0', count: 2 },
      runtime: builtInRuntime("release-map ohe/map.yaml names tags only, not the release's chart")
    })
  })

  it('an unknown release lists the nearest ones in the file', async () => {
    const file = mapFile()
    const thrown = await failure(
      resolveRelease(inputs({ 'ohe-release': { kind: 'release', version: '0.46.0' }, 'release-map': file }), { apiUrl, shownMap: 'ohe/map.yaml' })
    )
    expect(thrown.message).toBe(
      'ohe-release 0.46.0 is not an OHE release in release-map ohe/map.yaml (nearest: 0.33.0, 0.45.0, 0.50.0): set ohe-release to one of its releases, e.g. 0.50.0.'
    )
  })

  it('a missing file and a malformed one: one-line errors, the second placed on the file', async () => {
    const missing = await failure(
      resolveRelease(inputs({ 'ohe-release': { kind: 'latest' }, 'release-map': path.join(dir, 'nope.yaml') }), { apiUrl, shownMap: 'nope.yaml' })
    )
    expect(missing.message).toBe(
      'release-map nope.yaml does not exist: set release-map to a YAML file in the workspace with lines such as "0.45.0: 1.41.0-python".'
    )
    const file = mapFile('0.45: 1.41.0-python\n')
    const malformed = await failure(resolveRelease(inputs({ 'ohe-release': { kind: 'latest' }, 'release-map': file }), { apiUrl, shownMap: 'map.yaml' }))
    expect(malformed.message).toBe(
      'release-map map.yaml: \'0.45\' is not an OHE release X.Y.Z. Quote it if YAML read it as a number, e.g. "0.45.0": 1.41.0-python.'
    )
    expect(malformed.file).toBe(file)
  })

  it('a tag that is no agent-server tag', async () => {
    const thrown = await failure(
      resolveRelease(inputs({ 'ohe-release': { kind: 'release', version: '0.45.0' }, 'release-map': mapFile('"0.45.0": latest-python\n') }), {
        apiUrl,
        shownMap: 'm.yaml'
      })
    )
    expect(thrown.message).toBe(
      "OHE release 0.45.0 names agent-server tag 'latest-python' (m.yaml), which is not X.Y.Z-<variant>: pin agent-server-version to the version you want instead."
    )
  })
})

describe('resolveRelease: ohe-release through the GitHub API', () => {
  it('0.23.1 ships 1.36.0, and 1.36.0 fits OHE 0.16.2 to 0.33.0', async () => {
    await expect(resolveRelease(inputs({ 'ohe-release': { kind: 'release', version: '0.23.1' } }), { apiUrl: api.url })).resolves.toEqual({
      version: '1.36.0',
      oheRelease: '0.23.1',
      mapTag: '1.36.0-python',
      latest: false,
      fits: { agentServer: '1.36.0', first: '0.16.2', last: '0.33.0', count: 5 },
      // The option names come from the config.yaml the tag was read from.
      adminConsole: { options: BUILT_IN_OPTIONS, from: 'replicated/config.yaml at openhands/0.23.1 of OpenHands/OpenHands-Cloud' },
      // The history's releases have no warm-runtime spec: the built-in one, saying so.
      runtime: builtInRuntime('openhands/0.23.1 has no warmRuntimes.configsByName.default')
    })
  })

  it('reads the runtime spec of the release from its chart and Replicated values', async () => {
    const files = historyFiles()
    const withSpec: Record<string, Record<string, string>> = {
      ...files,
      '0.45.0': { ...files['0.45.0'], [RUNTIME_VALUES_FILE]: runtimeValuesYaml(), [REPLICATED_CHART_FILE]: replicatedChartYaml() }
    }
    const source: ReleaseSource = {
      name: 'stand-in',
      listReleases: async () => Object.keys(HISTORY),
      readFile: async (release, file) => withSpec[release]?.[file]
    }
    const resolved = await resolveRelease(inputs({ 'ohe-release': { kind: 'release', version: '0.45.0' } }), { apiUrl: 'unused', source })
    expect(resolved.runtime.source).toEqual({ kind: 'release', release: '0.45.0', files: [RUNTIME_VALUES_FILE, REPLICATED_CHART_FILE] })
    expect(resolved.runtime.spec).toMatchObject({ workingDir: '/workspace/project', port: 60000, runAsUser: 10001 })
  })

  it('latest is the newest release of the history; its config.yaml lacks the tag option, and that is kept for the ConfigValues step', async () => {
    const resolved = await resolveRelease(inputs({ 'ohe-release': { kind: 'latest' } }), { apiUrl: api.url })
    expect(resolved).toMatchObject({ version: '1.42.0', oheRelease: Object.keys(HISTORY).at(-1), latest: true })
    expect(resolved.adminConsole).toEqual({ missing: '"Sandbox Image Tag"', from: 'replicated/config.yaml at openhands/0.51.0 of OpenHands/OpenHands-Cloud' })
  })

  it('another variant than the map names: the version is what counts', async () => {
    const resolved = await resolveRelease(inputs({ 'ohe-release': { kind: 'release', version: '0.45.0' }, variant: 'java' }), { apiUrl: api.url })
    expect(resolved).toMatchObject({ version: '1.41.0', mapTag: '1.41.0-python' })
  })

  it('release-source is the repository read', async () => {
    const thrown = await failure(resolveRelease(inputs({ 'ohe-release': { kind: 'latest' }, 'release-source': 'acme/mirror' }), { apiUrl: api.url }))
    expect(thrown.message).toMatch(/^The GitHub API at .+ found no repository acme\/mirror \(HTTP 404\)/)
  })

  it('the fit range failing is only a warning: the release still resolves', async () => {
    let reads = 0
    const flaky: ReleaseSource = {
      name: 'flaky',
      listReleases: async () => Object.keys(HISTORY),
      readFile: async (release, file) => {
        if (++reads > 1) throw new UserError('the API went away')
        return historyFiles()[release]?.[file]
      }
    }
    const resolved = await resolveRelease(inputs({ 'ohe-release': { kind: 'release', version: '0.45.0' } }), { apiUrl: 'unused', source: flaky })
    expect(resolved).toEqual({
      version: '1.41.0',
      oheRelease: '0.45.0',
      mapTag: '1.41.0-python',
      latest: false,
      adminConsole: { options: BUILT_IN_OPTIONS, from: 'replicated/config.yaml at openhands/0.45.0 of OpenHands/OpenHands-Cloud' },
      runtime: builtInRuntime('the runtime spec of openhands/0.45.0 could not be read: the API went away')
    })
  })
})
