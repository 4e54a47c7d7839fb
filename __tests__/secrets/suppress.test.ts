// Suppression (inline allow comments, fingerprint ignore file, excludePaths), Dockerfile ENV/ARG, and SARIF.
import { resolve } from 'node:path'
import { RULES, toSarif } from '../../src/secrets/sarif.js'
import { scanContext } from '../../src/secrets/scan.js'
import { parseIgnoreFile } from '../../src/secrets/suppress.js'
import { TempTree, checksummed, random, randomSecret } from './fixtures.js'

describe('suppression', () => {
  const tree = new TempTree()
  afterAll(() => tree.remove())
  const dockerfile = (): string => tree.write('Dockerfile', 'FROM scratch\n')

  test('sandbox-scan:allow on the line, and sandbox-scan:allow-next-line on the line before', async () => {
    tree.write('a.sh', `A=${checksummed('ghp_')} # sandbox-scan:allow\n# sandbox-scan:allow-next-line\nB=${checksummed('ghp_')}\nC=${checksummed('ghp_')}\n`)
    const result = await scanContext({ context: tree.root, dockerfile: dockerfile() })
    expect(result.findings.map(f => `${f.file}:${f.line}`)).toEqual(['a.sh:4'])
    expect(result.suppressed).toBe(2)
  })

  test('the ignore file lists fingerprints that survive line moves', async () => {
    const token = checksummed('npm_')
    tree.write('a.sh', '')
    tree.write('b.conf', `x = 1\nkey ${token}\n`)
    const first = await scanContext({ context: tree.root, dockerfile: dockerfile() })
    const fingerprint = first.findings.find(f => f.file === 'b.conf')?.fingerprint ?? ''
    expect(fingerprint).toMatch(/^b\.conf:npm-access-token:[0-9a-f]{16}$/)
    expect(fingerprint).not.toContain(token)
    tree.write('b.conf', `new line\nx = 1\n\n\nkey ${token}\n`)
    const ignoreFile = tree.write('.sandbox-scan-ignore', `# revoked test token\n${fingerprint}   # why\n\n`)
    const second = await scanContext({ context: tree.root, dockerfile: dockerfile(), ignoreFile })
    expect(second.findings).toEqual([])
    expect(second.suppressed).toBe(1)
    const missing = await scanContext({ context: tree.root, dockerfile: dockerfile(), ignoreFile: tree.path('no-such-file') })
    expect(missing.findings.map(f => [f.fingerprint, f.line])).toEqual([[fingerprint, 5]])
  })

  test('excludePaths are dockerignore-style patterns relative to the context', async () => {
    tree.write('b.conf', '')
    tree.write('fixtures/deep/a.txt', `T=${checksummed('ghp_')}\n`)
    tree.write('fixtures/keep.txt', `T=${checksummed('ghp_')}\n`)
    tree.write('docs/x.md', `T=${checksummed('ghp_')}\n`)
    const result = await scanContext({ context: tree.root, dockerfile: dockerfile(), excludePaths: ['fixtures', '!fixtures/keep.txt', '**/*.md'] })
    expect(result.findings.map(f => f.file)).toEqual(['fixtures/keep.txt'])
  })

  test('ignore file syntax', () => {
    expect([...parseIgnoreFile('# c\n a:b:c \n\nd:e:f # note\r\n')]).toEqual(['a:b:c', 'd:e:f'])
  })
})

describe('Dockerfile ENV and ARG', () => {
  const tree = new TempTree()
  afterAll(() => tree.remove())

  test('literal secret values are found; ARG without value, variable refs, *_FILE and secret mounts are not', async () => {
    const v = (): string => randomSecret(20)
    const text = [
      '# syntax=docker/dockerfile:1',
      'FROM ghcr.io/openhands/agent-server:1.23.0-python',
      'ARG GITHUB_TOKEN',
      `ENV API_TOKEN=${v()} LOG_LEVEL=info`,
      `ARG DB_PASSWORD=${v()}`,
      'ENV TOKEN_FILE=/run/secrets/token',
      'ENV GH_TOKEN=$GITHUB_TOKEN OTHER=${GITHUB_TOKEN}',
      'RUN --mount=type=secret,id=npm,target=/root/.npmrc npm ci',
      'RUN <<EOF',
      `ENV NOT_AN_INSTRUCTION_PASSWORD=${v()}`,
      'EOF',
      `ENV SECRET_KEY \\`,
      `    ${v()}`,
      'ENV MY_SECRET=changeme',
      `ENV CLIENT_SECRET="${v()}"`,
      ''
    ].join('\n')
    tree.write('Dockerfile', text)
    const result = await scanContext({ context: tree.root, dockerfile: tree.path('Dockerfile') })
    expect(result.findings.map(f => [f.rule, f.line])).toEqual([
      ['dockerfile-secret-env', 4],
      ['dockerfile-secret-arg', 5],
      // A heredoc body is a script, not an instruction: only the rules for any file apply to it.
      ['generic-secret', 10],
      // The value of a continued instruction is reported on its own line.
      ['dockerfile-secret-env', 13],
      ['dockerfile-secret-env', 15]
    ])
  })

  test('the escape directive changes the continuation character', async () => {
    tree.write('Dockerfile', `# escape=\`\nFROM scratch\nENV A=1 \`\n    DEPLOY_TOKEN=${random(24)}\n`)
    const result = await scanContext({ context: tree.root, dockerfile: tree.path('Dockerfile') })
    expect(result.findings.map(f => [f.rule, f.line])).toEqual([['dockerfile-secret-env', 4]])
  })
})

describe('SARIF', () => {
  test('SARIF 2.1.0 with rules, physical locations and partial fingerprints', () => {
    const result = {
      findings: [
        {
          rule: 'github-classic-token',
          description: 'GitHub personal access token (classic)',
          file: 'dir/a b.txt',
          line: 3,
          column: 7,
          hint: 'ghp_\u2026 (40 chars)',
          fingerprint: 'dir/a b.txt:github-classic-token:0123456789abcdef'
        }
      ],
      filesScanned: 1,
      bytesScanned: 10,
      skipped: [],
      warnings: [],
      suppressed: 0
    }
    const sarif = toSarif(result, '1.2.3', { uriBase: 'docker/sandbox' }) as {
      version: string
      runs: Array<{ tool: { driver: { version: string; rules: Array<{ id: string }> } }; results: Array<Record<string, unknown>> }>
    }
    expect(sarif.version).toBe('2.1.0')
    const run = sarif.runs[0]!
    expect(run.tool.driver.version).toBe('1.2.3')
    expect(run.tool.driver.rules.map(r => r.id)).toEqual(RULES.map(r => r.id))
    expect(run.results[0]).toEqual({
      ruleId: 'github-classic-token',
      ruleIndex: RULES.findIndex(r => r.id === 'github-classic-token'),
      level: 'error',
      message: { text: 'GitHub personal access token (classic): ghp_\u2026 (40 chars)' },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'docker/sandbox/dir/a%20b.txt' }, region: { startLine: 3, startColumn: 7 } } }],
      partialFingerprints: { 'sandboxSecret/v1': 'dir/a b.txt:github-classic-token:0123456789abcdef' }
    })
  })
})

describe('a clean npm tree', () => {
  // The project's own node_modules: documentation examples, test fixtures, placeholders and minified code that
  // other scanners report. Precision means nothing in here is a finding.
  test('scanning node_modules as a context reports nothing', async () => {
    const context = resolve('node_modules')
    const result = await scanContext({ context, dockerfile: resolve(context, 'Dockerfile.none') }).catch(async () =>
      scanContext({ context, dockerfile: resolve('node_modules/typescript/package.json') })
    )
    expect(result.findings).toEqual([])
    expect(result.filesScanned).toBeGreaterThan(1000)
  }, 120000)
})
