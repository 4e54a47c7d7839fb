import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { UserError } from '../src/errors.js'
import { readInputs } from '../src/inputs.js'

const workspace = mkdtempSync(path.join(tmpdir(), 'inputs-'))
mkdirSync(path.join(workspace, 'image'))
writeFileSync(path.join(workspace, 'notes.txt'), 'x')

function read(values: Record<string, string>) {
  const all: Record<string, string> = { 'ohe-release': '1.23.0', repository: 'ghcr.io/acme/sandbox', ...values }
  return readInputs(name => all[name] ?? '', workspace)
}

function failure(values: Record<string, string>): string {
  try {
    read(values)
  } catch (thrown) {
    expect(thrown).toBeInstanceOf(UserError)
    return (thrown as Error).message
  }
  throw new Error('expected a UserError')
}

describe('readInputs', () => {
  it('applies the documented defaults', () => {
    const inputs = read({})
    expect(inputs).toEqual({
      'ohe-release': { kind: 'version', version: '1.23.0' },
      'base-image': 'ghcr.io/openhands/agent-server',
      variant: 'python',
      match: 'exact',
      context: workspace,
      file: path.join(workspace, 'Dockerfile'),
      target: '',
      'build-args': {},
      repository: 'ghcr.io/acme/sandbox',
      tag: '',
      'extra-tags': [],
      labels: {},
      build: true,
      push: true,
      'skip-unchanged': false,
      'registry-username': '',
      'registry-password': '',
      secrets: [],
      'cache-from': [],
      'cache-to': [],
      builder: '',
      scan: true,
      'scan-exclude': [],
      'scan-ignore-file': path.join(workspace, '.sandbox-scan-ignore'),
      'fail-on-findings': true,
      sarif: '',
      'github-token': '',
      timeout: 0,
      'push-stall-timeout': 600_000,
      'push-retries': 2,
      'docker-env': []
    })
  })

  it('parses lists, pairs and paths', () => {
    const inputs = read({
      context: 'image',
      file: 'image/Dockerfile.sandbox',
      'build-args': 'A=1\n\n  B = two words \nC=x=y\r\n',
      'extra-tags': 'stable, 1.23\nlatest-sandbox',
      labels: 'team=platform',
      secrets: 'npm_token=abc=def',
      'cache-from': 'type=gha\ntype=registry,ref=x',
      sarif: 'out/scan.sarif',
      push: 'FALSE',
      match: 'minor'
    })
    expect(inputs.context).toBe(path.join(workspace, 'image'))
    expect(inputs.file).toBe(path.join(workspace, 'image/Dockerfile.sandbox'))
    expect(inputs['build-args']).toEqual({ A: '1', B: ' two words ', C: 'x=y' })
    expect(inputs['extra-tags']).toEqual(['stable', '1.23', 'latest-sandbox'])
    expect(inputs.labels).toEqual({ team: 'platform' })
    expect(inputs.secrets).toEqual([{ id: 'npm_token', value: 'abc=def' }])
    expect(inputs['cache-from']).toEqual(['type=gha', 'type=registry,ref=x'])
    expect(inputs.sarif).toBe(path.join(workspace, 'out/scan.sarif'))
    expect(inputs.push).toBe(false)
    expect(inputs.match).toBe('minor')
  })

  it('needs no repository when nothing is pushed', () => {
    expect(read({ repository: '', push: 'false' }).repository).toBe('')
    expect(read({ repository: '', build: 'false' }).repository).toBe('')
  })

  it.each([
    [{ 'ohe-release': '' }, 'ohe-release is required: set it to the agent-server version that your OHE release ships, e.g. 1.23.0.'],
    [{ 'ohe-release': '1.23' }, "ohe-release '1.23' is not a release version. Expected X.Y.Z (e.g. 1.23.0), vX.Y.Z, X.Y.Z-python or latest."],
    [{ match: 'patch' }, "match 'patch' is not supported. Expected exact or minor."],
    [{ push: 'yes' }, "push 'yes' is not a boolean. Expected true or false."],
    [{ variant: 'Python 3' }, "variant 'Python 3' is not a variant name. Expected a word such as python, java or golang."],
    [{ context: 'missing' }, "context 'missing' does not exist. Set context to the folder that holds your build files."],
    [{ context: 'notes.txt' }, "context 'notes.txt' is not a folder. Set context to the folder that holds your build files."],
    [{ 'base-image': 'ghcr.io/openhands/agent-server:1.23.0-python' }, "base-image 'ghcr.io/openhands/agent-server:1.23.0-python' is not an image repository. Expected a name without tag, e.g. ghcr.io/openhands/agent-server."],
    [{ repository: 'ghcr.io/Acme/Sandbox' }, "repository 'ghcr.io/Acme/Sandbox' is not an image repository. Expected a lowercase name without tag or digest, e.g. ghcr.io/acme/openhands-sandbox."],
    [{ repository: 'ghcr.io/acme/sandbox:1.0' }, "repository 'ghcr.io/acme/sandbox:1.0' is not an image repository. Expected a lowercase name without tag or digest, e.g. ghcr.io/acme/openhands-sandbox."],
    [{ repository: '' }, 'repository is required when push is true: set it to the image repository to push, e.g. ghcr.io/acme/openhands-sandbox, or set push: false.'],
    [{ 'registry-username': 'bot' }, 'registry-username and registry-password go together: set both, or neither to use the credentials docker already has.'],
    [{ 'build-args': 'A=1\nnot a pair' }, 'build-args: line 2 is not NAME=value. Write one NAME=value per line.'],
    [{ labels: '=x' }, 'labels: line 1 is not key=value. Write one key=value per line.']
  ])('rejects %j', (values, message) => {
    expect(failure(values)).toBe(message)
  })

  it('never quotes a malformed secrets line, which may hold a secret', () => {
    const message = failure({ secrets: 'token hunter2-value' })
    expect(message).toBe('secrets: line 1 is not id=value. Write one id=value per line.')
    expect(message).not.toContain('hunter2')
  })
})
