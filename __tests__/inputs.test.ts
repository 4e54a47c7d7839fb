import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { UserError } from '../src/errors.js'
import { readInputs } from '../src/inputs.js'
import { scratchDir } from './support/scratch.js'

const workspace = scratchDir('inputs-')
mkdirSync(path.join(workspace, 'image'))
writeFileSync(path.join(workspace, 'notes.txt'), 'x')

function read(values: Record<string, string>) {
  const all: Record<string, string> = { 'agent-server-version': '1.23.0', repository: 'ghcr.io/acme/sandbox', ...values }
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
      'ohe-release': undefined,
      'agent-server-version': '1.23.0',
      'release-source': 'OpenHands/OpenHands-Cloud',
      'release-map': '',
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
      'secret-files': [],
      ssh: [],
      verify: true,
      'sandbox-commands': [],
      'sandbox-command-timeout': 600_000,
      'cache-from': [],
      'cache-to': [],
      builder: '',
      scan: true,
      'scan-exclude': [],
      'scan-ignore-file': path.join(workspace, '.sandbox-scan-ignore'),
      'fail-on-findings': true,
      'scan-installed-packages': 'notice',
      sarif: '',
      'github-token': '',
      timeout: 0,
      'push-stall-timeout': 600_000,
      'push-retries': 2,
      provenance: { mode: 'min', attrs: [] },
      sbom: false,
      sign: false,
      'cosign-key': '',
      'cosign-password': '',
      'sign-tlog-upload': true,
      'docker-env': [],
      'config-values-file': '',
      'kots-app': '',
      'kots-namespace': ''
    })
  })

  it('reads the KOTS inputs: config-values-file (a workspace path), kots-app, kots-namespace', () => {
    expect(read({ 'config-values-file': 'out/values.yaml', 'kots-app': 'openhands', 'kots-namespace': 'kots-admin' })).toMatchObject({
      'config-values-file': path.join(workspace, 'out/values.yaml'),
      'kots-app': 'openhands',
      'kots-namespace': 'kots-admin'
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

  it.each([
    [{ 'agent-server-version': '', 'ohe-release': '0.45.0' }, { kind: 'release', version: '0.45.0' }, ''],
    [{ 'agent-server-version': '', 'ohe-release': ' v0.45.0 ' }, { kind: 'release', version: '0.45.0' }, ''],
    [{ 'agent-server-version': '', 'ohe-release': 'latest' }, { kind: 'latest' }, ''],
    [{ 'agent-server-version': 'v1.41.0' }, undefined, '1.41.0'],
    [{ 'agent-server-version': '1.41.0-python' }, undefined, '1.41.0'],
    [{ 'agent-server-version': '1.41.0-python-slim', variant: 'python-slim' }, undefined, '1.41.0']
  ])('reads the target %j: exactly one of ohe-release and agent-server-version', (values, release, version) => {
    const inputs = read(values)
    expect(inputs['ohe-release']).toEqual(release)
    expect(inputs['agent-server-version']).toBe(version)
  })

  it('reads release-source and release-map (a workspace path)', () => {
    const inputs = read({ 'agent-server-version': '', 'ohe-release': 'latest', 'release-source': 'acme/ohe-mirror', 'release-map': 'ohe/map.yaml' })
    expect(inputs['release-source']).toBe('acme/ohe-mirror')
    expect(inputs['release-map']).toBe(path.join(workspace, 'ohe/map.yaml'))
  })

  it('accepts the published variants, hyphenated ones included', () => {
    for (const variant of ['python', 'java', 'golang', 'python-slim', 'python-minimal']) expect(read({ variant }).variant).toBe(variant)
  })

  it('reads scan-installed-packages', () => {
    expect(read({ 'scan-installed-packages': 'fail' })['scan-installed-packages']).toBe('fail')
  })

  it.each([
    [{}, { mode: 'min', attrs: [] }, false],
    [{ provenance: 'false', sbom: 'true' }, false, {}],
    [{ provenance: 'mode=max' }, { mode: 'max', attrs: [] }, false]
  ])('reads provenance and sbom %j', (values, provenance, sbom) => {
    const inputs = read(values)
    expect(inputs.provenance).toEqual(provenance)
    expect(inputs.sbom).toEqual(sbom)
  })

  it('reads the signing inputs; a key that is not one is refused without being quoted', () => {
    const pem = ['-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----', 'k'.repeat(64), '-----END ENCRYPTED SIGSTORE PRIVATE KEY-----'].join('\n')
    const inputs = read({ sign: 'true', 'cosign-key': pem, 'cosign-password': 'pw-made-here', 'sign-tlog-upload': 'false' })
    expect([inputs.sign, inputs['cosign-key'], inputs['cosign-password'], inputs['sign-tlog-upload']]).toEqual([true, pem, 'pw-made-here', false])
    const message = failure({ sign: 'true', 'cosign-key': 'hunter2-not-a-key' })
    expect(message).toMatch(/^cosign-key is not a cosign private key\. Expected the PEM text of cosign\.key/)
    expect(message).not.toContain('hunter2')
    expect(failure({ 'cosign-password': 'pw-made-here' })).toBe(
      'cosign-password is set but cosign-key is not: the password belongs to a key; set both, or neither to sign keyless.'
    )
  })

  it('needs no repository when nothing is pushed', () => {
    expect(read({ repository: '', push: 'false' }).repository).toBe('')
    expect(read({ repository: '', build: 'false' }).repository).toBe('')
  })

  it.each([
    [
      { 'agent-server-version': '' },
      'ohe-release is required: set it to the OHE release you run or will install (e.g. 0.45.0, or latest), or pin agent-server-version (e.g. 1.41.0).'
    ],
    [{ 'agent-server-version': '1.23' }, "agent-server-version '1.23' is not a version. Expected X.Y.Z (e.g. 1.41.0), vX.Y.Z or X.Y.Z-python."],
    [
      { 'agent-server-version': '', 'ohe-release': '0.45' },
      "ohe-release '0.45' is not an OHE release. Expected X.Y.Z as the Admin Console shows it (e.g. 0.45.0), vX.Y.Z or latest."
    ],
    [
      { 'ohe-release': '0.45.0' },
      "ohe-release '0.45.0' and agent-server-version '1.23.0' are both set: keep ohe-release to build for an OHE release, or agent-server-version to pin the base."
    ],
    [
      { 'agent-server-version': '', 'ohe-release': '1.41.0' },
      "ohe-release '1.41.0' is an agent-server version, not an OHE release (OHE releases are 0.x, e.g. 0.45.0): set agent-server-version: 1.41.0 instead, or set ohe-release to the OHE release you run."
    ],
    [
      { 'agent-server-version': '0.45.0' },
      "agent-server-version '0.45.0' is an OHE release, not an agent-server version (agent-server versions are 1.x, e.g. 1.41.0): set ohe-release: 0.45.0 instead."
    ],
    [{ 'release-source': 'OpenHands-Cloud' }, "release-source 'OpenHands-Cloud' is not a repository. Expected owner/name, e.g. OpenHands/OpenHands-Cloud."],
    [{ 'release-source': '../..' }, "release-source '../..' is not a repository. Expected owner/name, e.g. OpenHands/OpenHands-Cloud."],
    [{ match: 'patch' }, "match 'patch' is not supported. Expected exact or minor."],
    [{ push: 'yes' }, "push 'yes' is not a boolean. Expected true or false."],
    [{ variant: 'Python 3' }, "variant 'Python 3' is not a variant name. Expected one such as python, java, golang, python-slim or python-minimal."],
    [{ variant: 'python-' }, "variant 'python-' is not a variant name. Expected one such as python, java, golang, python-slim or python-minimal."],
    [{ context: 'missing' }, "context 'missing' does not exist. Set context to the folder that holds your build files."],
    [{ context: 'notes.txt' }, "context 'notes.txt' is not a folder. Set context to the folder that holds your build files."],
    [
      { 'base-image': 'ghcr.io/openhands/agent-server:1.23.0-python' },
      "base-image 'ghcr.io/openhands/agent-server:1.23.0-python' is not an image repository. Expected a name without tag, e.g. ghcr.io/openhands/agent-server."
    ],
    [
      { repository: 'ghcr.io/Acme/Sandbox' },
      "repository 'ghcr.io/Acme/Sandbox' is not an image repository. Expected a lowercase name without tag or digest, e.g. ghcr.io/acme/openhands-sandbox."
    ],
    [
      { repository: 'ghcr.io/acme/sandbox:1.0' },
      "repository 'ghcr.io/acme/sandbox:1.0' is not an image repository. Expected a lowercase name without tag or digest, e.g. ghcr.io/acme/openhands-sandbox."
    ],
    [
      { repository: '' },
      'repository is required when push is true: set it to the image repository to push, e.g. ghcr.io/acme/openhands-sandbox, or set push: false.'
    ],
    [{ 'registry-username': 'bot' }, 'registry-username and registry-password go together: set both, or neither to use the credentials docker already has.'],
    [{ 'build-args': 'A=1\nnot a pair' }, 'build-args: line 2 is not NAME=value. Write one NAME=value per line.'],
    [{ labels: '=x' }, 'labels: line 1 is not key=value. Write one key=value per line.'],
    [{ 'scan-installed-packages': 'warn' }, "scan-installed-packages 'warn' is not supported. Expected notice or fail."],
    [
      { 'kots-app': 'OpenHands' },
      "kots-app 'OpenHands' is not a Kubernetes name. Expected the app slug, e.g. openhands: lowercase letters, digits and '-', at most 63."
    ],
    [
      { 'kots-namespace': 'admin;rm' },
      "kots-namespace 'admin;rm' is not a Kubernetes name. Expected the namespace the Admin Console runs in: lowercase letters, digits and '-', at most 63."
    ]
  ])('rejects %j', (values, message) => {
    expect(failure(values)).toBe(message)
  })

  it('never quotes a malformed secrets line, which may hold a secret', () => {
    const message = failure({ secrets: 'token hunter2-value' })
    expect(message).toBe('secrets: line 1 is not id=value. Write one id=value per line.')
    expect(message).not.toContain('hunter2')
  })

  it('reads the verify inputs: secret-files, ssh, verify, boot-timeout, max-added-size, sandbox-memory, sandbox-cpus', () => {
    writeFileSync(path.join(workspace, 'image', 'deploy_key'), 'key\n')
    const inputs = read({
      'secret-files': 'deploy_key=image/deploy_key\n',
      ssh: 'default\ngithub=/tmp/agent.sock',
      verify: 'false',
      'boot-timeout': '30',
      'max-added-size': '2GB',
      'sandbox-memory': '4Gi',
      'sandbox-cpus': '1500m'
    })
    expect(inputs).toMatchObject({
      'secret-files': [{ id: 'deploy_key', path: path.join(workspace, 'image', 'deploy_key') }],
      ssh: ['default', 'github=/tmp/agent.sock'],
      verify: false,
      'boot-timeout': 30,
      'max-added-size': 2_000_000_000,
      'sandbox-memory': 4 * 2 ** 30,
      'sandbox-cpus': 1.5
    })
    // Empty: the release's values (boot-timeout: the startup probe's allowance), decided once the spec is read.
    for (const name of ['max-added-size', 'boot-timeout', 'sandbox-memory', 'sandbox-cpus']) expect(read({})).not.toHaveProperty(name)
  })

  it.each([
    [
      { 'secret-files': 'key=missing/file' },
      "secret-files: 'key' names 'missing/file', which is not a file. Write id=path to a file in the workspace or on the runner."
    ],
    [{ 'secret-files': 'key=image' }, "secret-files: 'key' names 'image', which is not a file. Write id=path to a file in the workspace or on the runner."],
    [{ secrets: 'npm=x', 'secret-files': 'npm=notes.txt' }, "secrets: id 'npm' is given twice. Give each secret id once."],
    [{ ssh: 'a b' }, "ssh: 'a b' is not an SSH entry. Expected default, or id=path to an agent socket or key, one per line."],
    [{ 'boot-timeout': '0' }, "boot-timeout '0' is not a number of seconds from 1 to 3600. Expected e.g. 120."],
    [{ 'boot-timeout': '2m' }, "boot-timeout '2m' is not a number of seconds from 1 to 3600. Expected e.g. 120."],
    [
      { 'sandbox-memory': '2048m' },
      "sandbox-memory '2048m' is a fraction of a byte in Kubernetes ('m' is milli/micro/nano). Expected a Kubernetes quantity such as 2048Mi, 2Gi or 4G (Mi, not m)."
    ],
    [{ 'sandbox-cpus': 'all' }, "sandbox-cpus 'all' is not a CPU amount. Expected a Kubernetes CPU quantity such as 1000m, 500m, 2 or 1.5."],
    [{ 'max-added-size': 'huge' }, "max-added-size 'huge' is not a size. Expected a number with an optional unit, e.g. 2GB, 500MB or 1.5GiB."],
    [{ verify: 'yes' }, "verify 'yes' is not a boolean. Expected true or false."]
  ])('rejects the verify input %j', (values, message) => {
    expect(failure(values)).toBe(message)
  })

  it.each<[Record<string, string>, Record<string, unknown>]>([
    [
      { 'sandbox-commands': 'prepare-project\n\n  # refresh the seed first\nproject-verify --quick  \n' },
      { 'sandbox-commands': ['prepare-project', 'project-verify --quick'] }
    ],
    [{ 'sandbox-commands': '\r\n# only comments\r\n' }, { 'sandbox-commands': [] }],
    [{ 'sandbox-commands': 'cd /workspace/project && make check' }, { 'sandbox-commands': ['cd /workspace/project && make check'] }],
    [{ 'sandbox-command-timeout': '90s' }, { 'sandbox-command-timeout': 90_000 }],
    [{ 'sandbox-command-timeout': '1h' }, { 'sandbox-command-timeout': 3_600_000 }],
    [{ 'sandbox-command-timeout': '45' }, { 'sandbox-command-timeout': 45_000 }],
    [{ 'max-ready-seconds': '60' }, { 'max-ready-seconds': 60 }],
    [{ 'max-ready-seconds': ' 90.5 ' }, { 'max-ready-seconds': 90.5 }]
  ])('reads the sandbox command inputs %j', (values, expected) => {
    expect(read(values)).toMatchObject(expected)
  })

  it('has no readiness limit unless max-ready-seconds is set', () => {
    expect(read({ 'max-ready-seconds': '  ' })).not.toHaveProperty('max-ready-seconds')
  })

  it.each([
    [{ 'sandbox-command-timeout': '0' }, "sandbox-command-timeout '0' is no deadline. Expected at least 1s, e.g. 90s, 10m or 1h."],
    [{ 'sandbox-command-timeout': 'ten minutes' }, "sandbox-command-timeout 'ten minutes' is not a duration. Expected e.g. 90s, 10m, 1h30m, or 0 for none."],
    [{ 'max-ready-seconds': '0' }, "max-ready-seconds '0' is not a number of seconds above 0. Expected e.g. 60 or 90.5, or leave it empty for no limit."],
    [{ 'max-ready-seconds': '2m' }, "max-ready-seconds '2m' is not a number of seconds above 0. Expected e.g. 60 or 90.5, or leave it empty for no limit."],
    [
      { 'sandbox-commands': 'prepare-project\n\u001b[31mred' },
      'sandbox-commands: line 2 holds a control character (an escape character) at column 1. Remove it; each line must be plain text.'
    ]
  ])('rejects the sandbox command input %j', (values, message) => {
    expect(failure(values)).toBe(message)
  })
})
