import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { checksummed, random } from './secrets/fixtures.js'
import { runAction, type ActionRun } from './support/action-runner.js'
import { scratchDir } from './support/scratch.js'

/** A workspace holding one build context folder `image/` with the given files. */
function workspaceWith(files: Record<string, string | Buffer>): string {
  const workspace = scratchDir('action-')
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(workspace, 'image', name)
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, content)
  }
  mkdirSync(path.join(workspace, 'image'), { recursive: true })
  return workspace
}

const checksOnly = { 'agent-server-version': '1.23.0', context: 'image', build: 'false', scan: 'false' }

function expectOneLineFailure(run: ActionRun, message: string): void {
  expect(run.exitCode).toBe(1)
  const errors = run.annotations.filter(annotation => annotation.level === 'error')
  expect(errors.map(error => error.message)).toEqual([message])
  expect(run.log).not.toMatch(/\n\s+at /) // no stack trace
}

describe('the bundled action (dist/index.js) run as a runner does', () => {
  it.each([
    ['registry-username', { 'registry-username': 'ci\n::warning::injected\n::add-mask::x', 'registry-password': 'pw', repository: '127.0.0.1:5000/a/b' }],
    ['builder', { builder: 'b\r\n::stop-commands::t' }],
    ['tag', { tag: 'v1\u001b]0;title\u0007' }]
  ])('a control character in %s fails with one line naming it, and writes no workflow command', async (name, values) => {
    const run = await runAction(
      { 'agent-server-version': '1.23.0', context: 'image', scan: 'false', push: 'false', ...values },
      workspaceWith({ Dockerfile: 'FROM ghcr.io/openhands/agent-server:1.23.0-python\n' })
    )
    expect(run.exitCode).toBe(1)
    const errors = run.annotations.filter(annotation => annotation.level === 'error').map(error => error.message)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(new RegExp(`^${name} holds a control character \\(`))
    expect(run.annotations.filter(annotation => annotation.level === 'warning')).toEqual([])
    expect(run.log).not.toMatch(/^::(?:warning::injected|stop-commands::t|add-mask::x)/m)
  })

  it('passes a Dockerfile built on the release and sets the outputs', async () => {
    const workspace = workspaceWith({
      Dockerfile: 'FROM ghcr.io/openhands/agent-server:1.23.0-python\nUSER root\nRUN apt-get update\nUSER openhands\n'
    })
    const run = await runAction(checksOnly, workspace)
    expect(run.exitCode).toBe(0)
    expect(run.annotations).toEqual([])
    expect(run.outputs).toMatchObject({ 'ohe-release': '', 'agent-server-version': '1.23.0', 'base-image': 'ghcr.io/openhands/agent-server:1.23.0-python' })
    expect(run.outputs).not.toHaveProperty('repository')
    expect(run.outputs).not.toHaveProperty('digest')
    expect(run.summary).toContain('✅ Base image matches the release')
  })

  it('fails a Dockerfile on another release and with a replaced entrypoint, annotating each line', async () => {
    const workspace = workspaceWith({
      Dockerfile: [
        '# syntax=docker/dockerfile:1',
        'ARG VERSION=1.22.0',
        'FROM ghcr.io/openhands/agent-server:${VERSION}-python',
        'RUN echo hi',
        'ENTRYPOINT ["/bin/sh"]',
        'USER root',
        ''
      ].join('\n')
    })
    // The build-arg pins the ARG, so the action does not move it to the release.
    const run = await runAction({ ...checksOnly, 'build-args': 'VERSION=1.22.0' }, workspace)
    expect(run.exitCode).toBe(1)
    const placed = run.annotations.map(a => [a.level, a.properties.file, a.properties.line, a.properties.title])
    expect(placed).toEqual([
      ['error', 'image/Dockerfile', '3', 'base-image'],
      ['error', 'image/Dockerfile', '5', 'runtime-contract'],
      ['warning', 'image/Dockerfile', '6', 'user'],
      ['error', undefined, undefined, undefined]
    ])
    expect(run.annotations[0]?.message).toContain('1.22.0-python')
    expect(run.annotations[0]?.message).toContain('1.23.0')
    expect(run.annotations[3]?.message).toBe('2 Dockerfile check(s) failed (see the annotations); nothing was built or pushed.')
    expect(run.outputs['base-image']).toBe('ghcr.io/openhands/agent-server:1.22.0-python')
    expect(run.summary).toContain('| ❌ | base-image | `image/Dockerfile:3` |')
  })

  it('follows build-args into FROM and picks the target stage', async () => {
    const workspace = workspaceWith({
      'Dockerfile.sandbox': [
        'ARG VERSION=1.22.0',
        'FROM ghcr.io/openhands/agent-server:${VERSION}-python AS base',
        'FROM base AS sandbox',
        'RUN echo ok',
        'FROM busybox AS other',
        'CMD ["sh"]',
        ''
      ].join('\n')
    })
    const run = await runAction({ ...checksOnly, file: 'image/Dockerfile.sandbox', target: 'sandbox', 'build-args': 'VERSION=1.23.0' }, workspace)
    expect(run.annotations).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(run.outputs['base-image']).toBe('ghcr.io/openhands/agent-server:1.23.0-python')
  })

  it('does not judge push tags when nothing is built', async () => {
    const workspace = workspaceWith({ Dockerfile: 'FROM ghcr.io/openhands/agent-server:1.23.0-python\n' })
    expect((await runAction({ ...checksOnly, tag: 'not a tag' }, workspace)).exitCode).toBe(0)
    const built = await runAction({ ...checksOnly, build: 'true', push: 'false', tag: 'not a tag' }, workspace)
    expect(built.exitCode).toBe(1)
    expect(built.annotations.map(a => a.message)[0]).toMatch(/^tag: 'not a tag' is not a valid Docker tag/)
    expect(built.log).not.toContain('buildx build')
  })

  it('warns about uncommitted files that docker would send, not about ignored ones', async () => {
    const workspace = workspaceWith({ Dockerfile: 'FROM ghcr.io/openhands/agent-server:1.23.0-python\n', '.dockerignore': 'scratch/\n' })
    const git = (...args: string[]) => execFileSync('git', args, { cwd: workspace, stdio: 'pipe' })
    git('init', '-q')
    git('add', '.')
    git('-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'init')
    mkdirSync(path.join(workspace, 'image', 'scratch'))
    writeFileSync(path.join(workspace, 'image', 'scratch', 'notes.txt'), 'ignored by .dockerignore\n')
    writeFileSync(path.join(workspace, 'image', 'tool.sh'), 'echo new\n')
    writeFileSync(path.join(workspace, 'image', 'Dockerfile'), 'FROM ghcr.io/openhands/agent-server:1.23.0-python\nRUN echo edited\n')

    const run = await runAction(checksOnly, workspace)
    expect(run.exitCode).toBe(0)
    expect(run.annotations).toEqual([
      {
        level: 'warning',
        message: 'image/Dockerfile is not committed, so the image would hold unreviewed source. Commit it, or exclude it in .dockerignore.',
        properties: { title: 'uncommitted-changes', file: 'image/Dockerfile', line: '1' }
      },
      {
        level: 'warning',
        message: 'image/tool.sh is not committed, so the image would hold unreviewed source. Commit it, or exclude it in .dockerignore.',
        properties: { title: 'uncommitted-changes', file: 'image/tool.sh', line: '1' }
      }
    ])
  })

  it.each([
    [
      'a missing Dockerfile',
      {},
      {},
      "Dockerfile 'image/Dockerfile' does not exist. Set file to your Dockerfile's path, or add a Dockerfile to the context folder."
    ],
    [
      'a folder as Dockerfile',
      { 'Dockerfile/x': 'FROM a' },
      {},
      "'image/Dockerfile' is a folder, not a Dockerfile. Set file to the Dockerfile inside it, e.g. image/Dockerfile/Dockerfile."
    ],
    [
      'a version without patch number',
      { Dockerfile: 'FROM x\n' },
      { 'agent-server-version': '1.23' },
      "agent-server-version '1.23' is not a version. Expected X.Y.Z (e.g. 1.41.0), vX.Y.Z or X.Y.Z-python."
    ],
    [
      'a version that is no version',
      { Dockerfile: 'FROM x\n' },
      { 'agent-server-version': 'banana' },
      "agent-server-version 'banana' is not a version. Expected X.Y.Z (e.g. 1.41.0), vX.Y.Z or X.Y.Z-python."
    ],
    [
      'an agent-server version in ohe-release',
      { Dockerfile: 'FROM x\n' },
      { 'agent-server-version': '', 'ohe-release': '1.23.0' },
      "ohe-release '1.23.0' is an agent-server version, not an OHE release (OHE releases are 0.x, e.g. 0.45.0): set agent-server-version: 1.23.0 instead, or set ohe-release to the OHE release you run."
    ],
    ['a context that does not exist', {}, { context: 'nowhere' }, "context 'nowhere' does not exist. Set context to the folder that holds your build files."]
  ])('fails %s with one line that says what to fix', async (_name, files, inputs, message) => {
    const run = await runAction({ ...checksOnly, ...inputs }, workspaceWith(files))
    expectOneLineFailure(run, message)
  })

  it.each([
    ['an empty file', '', 1, 'image/Dockerfile is empty: it needs at least a FROM instruction'],
    ['binary garbage', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), 1, 'not a text'],
    ['an unknown stage', 'FROM ghcr.io/openhands/agent-server:1.23.0-python AS base\nFROM bsae\nRUN echo\n', 1, 'bsae'],
    ['a 1 MB line', 'FROM ghcr.io/openhands/agent-server:1.23.0-python\nRUN echo ' + 'a'.repeat(1 << 20) + '\n', 0, undefined]
  ])('handles %s without a stack trace', async (_name, content, exitCode, errorText) => {
    const run = await runAction(checksOnly, workspaceWith({ Dockerfile: content }))
    expect(run.exitCode).toBe(exitCode)
    expect(run.log).not.toMatch(/\n\s+at /)
    const errors = run.annotations.filter(annotation => annotation.level === 'error').map(error => error.message)
    if (errorText === undefined) expect(errors).toEqual([])
    else expect(errors.some(message => message.includes(errorText) && !message.includes('\n'))).toBe(true)
  })

  describe('the secret scan', () => {
    const good = 'FROM ghcr.io/openhands/agent-server:1.23.0-python\n'
    const scanOnly = { 'agent-server-version': '1.23.0', context: 'image', build: 'false' }

    it('fails before any build on a secret in the context, placed on its line, never printed, in SARIF', async () => {
      const token = checksummed('ghp_')
      const workspace = workspaceWith({
        Dockerfile: good,
        'config/settings.py': `DEBUG = True\nGITHUB = "${token}"\n`,
        'ignored.env': `T=${token}\n`,
        '.dockerignore': 'ignored.env\n'
      })
      const run = await runAction({ ...scanOnly, sarif: 'out/scan.sarif' }, workspace)
      expect(run.exitCode).toBe(1)
      expect(run.annotations.map(a => [a.level, a.properties.file, a.properties.line])).toEqual([
        ['error', 'image/config/settings.py', '2'],
        ['error', undefined, undefined]
      ])
      expect(run.annotations[0]?.message).toMatch(/^GitHub personal access token \(classic\): ghp_… \(40 chars\)\. It would be sent to the build/)
      expect(run.annotations[1]?.message).toBe('1 secret(s) found in the build context (see the annotations); nothing was built or pushed.')
      expect(run.outputs.findings).toBe('1')
      expect(run.outputs.pushed).toBe('false')
      const sarifText = readFileSync(path.join(workspace, 'out', 'scan.sarif'), 'utf8')
      const sarif = JSON.parse(sarifText) as {
        version: string
        runs: Array<{
          results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }>
        }>
      }
      expect(sarif.version).toBe('2.1.0')
      expect(
        sarif.runs[0]?.results.map(r => [r.ruleId, r.locations[0]?.physicalLocation.artifactLocation.uri, r.locations[0]?.physicalLocation.region.startLine])
      ).toEqual([['github-classic-token', 'image/config/settings.py', 2]])
      expect(run.summary).toContain('### Secret scan')
      for (const text of [run.log, run.summary, sarifText, JSON.stringify(run.outputs)]) expect(text).not.toContain(token)
      expect(run.log).toContain('ghp_')
    })

    it('tells how to take a secret out of a Dockerfile, which cannot be left out of its own build', async () => {
      const workspace = workspaceWith({ Dockerfile: `${good}ENV API_TOKEN=${checksummed('ghp_')}\nARG DB_PASSWORD=${random(16)}\n` })
      const run = await runAction(scanOnly, workspace)
      expect(run.exitCode).toBe(1)
      const found = run.annotations.slice(0, 2)
      expect(found.map(a => [a.properties.title, a.properties.file, a.properties.line])).toEqual([
        ['secret/github-classic-token', 'image/Dockerfile', '2'],
        ['secret/dockerfile-secret-arg', 'image/Dockerfile', '3']
      ])
      for (const { message } of found)
        expect(message).toContain('remove the literal, and pass it with the secrets input and RUN --mount=type=secret,id=<id> instead')
    })

    it('says what to set when the ignore file is a folder', async () => {
      const workspace = workspaceWith({ Dockerfile: good })
      const run = await runAction({ ...scanOnly, 'scan-ignore-file': 'image' }, workspace)
      expectOneLineFailure(
        run,
        `Cannot read the scan ignore file ${path.join(workspace, 'image')} (it is a folder). Set scan-ignore-file to a file of finding fingerprints, one per line.`
      )
    })

    it('reports a token in an installed package as a notice, and fails on it with scan-installed-packages: fail', async () => {
      const token = checksummed('ghp_')
      const workspace = workspaceWith({
        Dockerfile: good,
        'node_modules/acme-sdk/package.json': '{"name":"acme-sdk","version":"1.4.2"}',
        'node_modules/acme-sdk/lib/client.js': `const token = "${token}"\n`
      })
      const run = await runAction(scanOnly, workspace)
      expect(run.exitCode).toBe(0)
      expect(run.annotations.map(a => [a.level, a.properties.file, a.properties.line])).toEqual([['notice', 'image/node_modules/acme-sdk/lib/client.js', '1']])
      expect(run.annotations[0]?.message).toContain('in installed package acme-sdk@1.4.2')
      expect(run.outputs.findings).toBe('0')
      expect(run.summary).toContain('1 in installed packages (notices, not failing)')
      for (const text of [run.log, run.summary]) expect(text).not.toContain(token)
      const strict = await runAction({ ...scanOnly, 'scan-installed-packages': 'fail' }, workspace)
      expect(strict.exitCode).toBe(1)
      expect(strict.annotations.filter(a => a.level === 'error').map(a => a.properties.file)).toEqual(['image/node_modules/acme-sdk/lib/client.js'])
    })

    it('only warns with fail-on-findings: false', async () => {
      const workspace = workspaceWith({ Dockerfile: good, '.npmrc': `//registry.npmjs.org/:_authToken=${checksummed('npm_')}\n` })
      const run = await runAction({ ...scanOnly, 'fail-on-findings': 'false', sarif: 'scan.sarif' }, workspace)
      expect(run.exitCode).toBe(0)
      expect(run.annotations.map(a => [a.level, a.properties.file, a.properties.line])).toEqual([['warning', 'image/.npmrc', '1']])
      expect(run.outputs.findings).toBe('1')
      // Code scanning must not block on what the run let through.
      const sarif = JSON.parse(readFileSync(path.join(workspace, 'scan.sarif'), 'utf8')) as { runs: Array<{ results: Array<{ level: string }> }> }
      expect(sarif.runs[0]?.results.map(result => result.level)).toEqual(['warning'])
    })

    it('accepts a finding listed in the ignore file and one allowed inline', async () => {
      const workspace = workspaceWith({
        Dockerfile: good,
        'a.py': `TOKEN = "${checksummed('ghp_')}"  # sandbox-scan:allow\n`,
        'b.py': `TOKEN = "${checksummed('ghp_')}"\n`
      })
      const first = await runAction(scanOnly, workspace)
      expect(first.exitCode).toBe(1)
      const fingerprint = /fingerprint (\S+) to image\/\.sandbox-scan-ignore \(scan-ignore-file\)/.exec(first.annotations[0]?.message ?? '')?.[1]
      expect(fingerprint).toMatch(/^b\.py:github-classic-token:[0-9a-f]{16}$/)
      writeFileSync(path.join(workspace, 'image', '.sandbox-scan-ignore'), `# reviewed: a revoked test token\n${fingerprint}\n`)
      const second = await runAction(scanOnly, workspace)
      expect(second.annotations).toEqual([])
      expect(second.exitCode).toBe(0)
      expect(second.outputs.findings).toBe('0')
    })
  })
})
