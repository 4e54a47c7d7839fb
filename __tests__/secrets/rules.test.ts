// Per rule: found at the right line, not found in its placeholder twin, not found in a dockerignored copy or
// outside the context (through a symlink), and never printed raw (result JSON and SARIF).
import { randomBytes } from 'node:crypto'
import { symlinkSync } from 'node:fs'
import { RULES } from '../../src/secrets/rules.js'
import { toSarif } from '../../src/secrets/sarif.js'
import { scanContext, type ScanResult } from '../../src/secrets/scan.js'
import { ALNUM, BASE32, BASE64, HEX, LETTERS, TOKEN, TempTree, badChecksum, checksummed, onLine, pemKey, publicPem, random, uuid } from './fixtures.js'

interface Case {
  rule: string
  file: string
  /** The real secret (the raw value that must never appear in output) and the file's content. */
  make(): { secret: string; content: string; line: number }
  twin: string
}

const line3 = (text: string, secret: string) => ({ secret, content: onLine(3, text), line: 3 })
const tok = (secret: string, text = (s: string) => `value: ${s}`) => line3(text(secret), secret)
const escapedPem = (pem: string) => pem.replace(/\n/g, '\\n')

const CASES: Case[] = [
  { rule: 'github-classic-token', file: 'a.txt', make: () => tok(checksummed('ghp_')), twin: `a ghp_${'x'.repeat(36)}\nb ${badChecksum('ghp_')}\n` },
  { rule: 'github-oauth-token', file: 'a.txt', make: () => tok(checksummed('gho_')), twin: `${badChecksum('gho_')}\n` },
  { rule: 'github-app-token', file: 'a.txt', make: () => tok(checksummed('ghs_')), twin: `${badChecksum('ghu_')}\n` },
  { rule: 'github-refresh-token', file: 'a.txt', make: () => tok(checksummed('ghr_')), twin: `${badChecksum('ghr_')}\n` },
  {
    rule: 'github-fine-grained-token',
    file: 'a.txt',
    make: () => tok(`github_pat_${random(22)}_${random(59)}`),
    twin: `github_pat_${'X'.repeat(22)}_${'X'.repeat(59)}\n`
  },
  { rule: 'npm-access-token', file: 'a.txt', make: () => tok(checksummed('npm_')), twin: `${badChecksum('npm_')}\n` },
  {
    rule: 'aws-access-key-id',
    file: 'a.txt',
    make: () => tok(`AKIA${random(16, BASE32)}`),
    twin: `aws_access_key_id = ${'AKIA' + 'IOSFODNN7' + 'EXAMPLE'}\n`
  },
  {
    rule: 'aws-secret-access-key',
    file: 'a.ini',
    make: () => tok(random(40, BASE64), (s) => `aws_secret_access_key = ${s}`),
    twin: `aws_secret_access_key = ${'wJalrXUtnFEMI/K7MDENG/' + 'bPxRfiCYEXAMPLEKEY'}\n`
  },
  {
    rule: 'aws-session-token',
    file: '.aws/credentials',
    make: () => line3(`aws_session_token = ${'x' + random(299, BASE64)}`, ''),
    twin: '[default]\naws_session_token = <session-token>\n'
  },
  {
    rule: 'slack-token',
    file: 'a.txt',
    make: () => tok(`xoxb-${random(11, '0123456789')}-${random(12, '0123456789')}-${random(24)}`),
    twin: 'SLACK_TOKEN=xoxb-your-token-here\nxoxb-000000000000-000000000000-xxxxxxxxxxxxxxxxxxxxxxxx\n'
  },
  {
    rule: 'slack-webhook-url',
    file: 'a.txt',
    make: () => tok(`https://hooks.slack.com/services/T${random(8, BASE32)}/B${random(8, BASE32)}/${random(24)}`),
    twin: 'https://hooks.slack.com/services/TXXXXXXXX/BXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX\n'
  },
  { rule: 'stripe-secret-key', file: 'a.txt', make: () => tok(`sk_live_${random(24)}`), twin: `sk_live_${'x'.repeat(24)}\nsk_test_...\n` },
  { rule: 'google-api-key', file: 'a.txt', make: () => tok(`AIza${random(35, TOKEN)}`), twin: `AIzaSy${'X'.repeat(33)}\n` },
  { rule: 'pypi-token', file: 'a.txt', make: () => tok(`pypi-AgEIcHlwaS5vcmc${random(60, TOKEN)}`), twin: 'pypi-AgEIcHlwaS5vcmc...\n' },
  { rule: 'gitlab-token', file: 'a.txt', make: () => tok(`glpat-${random(20, TOKEN)}`), twin: 'glpat-xxxxxxxxxxxxxxxxxxxx\n' },
  {
    rule: 'openai-api-key',
    file: 'a.txt',
    make: () => tok(`sk-proj-${random(40, TOKEN)}T3BlbkFJ${random(40, TOKEN)}`),
    twin: `OPENAI_API_KEY=sk-...\nsk-proj-${'x'.repeat(40)}T3BlbkFJ${'x'.repeat(40)}\n`
  },
  { rule: 'anthropic-api-key', file: 'a.txt', make: () => tok(`sk-ant-api03-${random(93, TOKEN)}AA`), twin: 'ANTHROPIC_API_KEY=sk-ant-api03-...\n' },
  { rule: 'huggingface-token', file: 'a.txt', make: () => tok(`hf_${random(34, LETTERS)}`), twin: `HF_TOKEN=hf_${'x'.repeat(34)}\n` },
  { rule: 'sendgrid-api-key', file: 'a.txt', make: () => tok(`SG.${random(22, TOKEN)}.${random(43, TOKEN)}`), twin: `SG.${'x'.repeat(22)}.${'x'.repeat(43)}\n` },
  { rule: 'dockerhub-token', file: 'a.txt', make: () => tok(`dckr_pat_${random(27, TOKEN)}`), twin: `dckr_pat_${'X'.repeat(27)}\n` },
  {
    rule: 'twilio-api-key',
    file: 'app.env.example.txt',
    make: () => tok(`SK${random(32, HEX)}`, (s) => `TWILIO_API_KEY=${s}`),
    twin: `TWILIO_API_KEY=SK${'0'.repeat(32)}\n`
  },
  {
    rule: 'twilio-auth-token',
    file: 'settings.ini',
    make: () => tok(random(32, HEX), (s) => `TWILIO_AUTH_TOKEN=${s}`),
    twin: 'TWILIO_AUTH_TOKEN=your_auth_token\n'
  },
  {
    rule: 'azure-storage-account-key',
    file: 'a.txt',
    make: () => {
      const key = `${random(86, BASE64)}==`
      return line3(`DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${key};EndpointSuffix=core.windows.net`, key)
    },
    twin: 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=<storage-key>;\n'
  },
  {
    rule: 'grafana-service-account-token',
    file: 'a.txt',
    make: () => tok(`glsa_${random(32)}_${random(8, HEX)}`),
    twin: `glsa_${'x'.repeat(32)}_${'0'.repeat(8)}\n`
  },
  {
    rule: 'grafana-cloud-token',
    file: 'a.txt',
    make: () => tok(`glc_${Buffer.from(JSON.stringify({ o: '123456', n: 'stack', k: random(24), m: { r: 'prod-eu' } })).toString('base64').replace(/=+$/, '')}`),
    twin: `glc_eyJ${'x'.repeat(40)}\n`
  },
  {
    rule: 'cloudflare-api-token',
    file: 'deploy.sh',
    make: () => tok(random(40, TOKEN), (s) => `export CLOUDFLARE_API_TOKEN=${s}`),
    twin: 'export CLOUDFLARE_API_TOKEN=your-cloudflare-api-token\n'
  },
  {
    rule: 'cloudflare-global-api-key',
    file: 'deploy.sh',
    make: () => tok(random(37, HEX), (s) => `CLOUDFLARE_API_KEY=${s}`),
    twin: `CLOUDFLARE_API_KEY=${'0'.repeat(37)}\n`
  },
  {
    rule: 'cloudflare-origin-ca-key',
    file: 'a.txt',
    make: () => tok(`v1.0-${random(24, HEX)}-${random(146, HEX)}`),
    twin: `v1.0-${'f'.repeat(24)}-${'f'.repeat(146)}\n`
  },
  {
    rule: 'private-key',
    file: 'server.key',
    make: () => {
      const pem = pemKey('rsa')
      return { secret: pem.split('\n')[1] ?? '', content: onLine(3, pem), line: 3 }
    },
    twin: `-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n${publicPem()}-----BEGIN CERTIFICATE-----\nMIIB${'A'.repeat(60)}\n-----END CERTIFICATE-----\n`
  },
  {
    rule: 'putty-private-key',
    file: 'id.ppk',
    make: () => {
      const priv = randomBytes(48).toString('base64')
      const content = `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: k\nPublic-Lines: 2\n${random(64, BASE64)}\n${random(4, BASE64)}\nPrivate-Lines: 1\n${priv}\nPrivate-MAC: ${random(64, HEX)}\n`
      return { secret: priv, content: onLine(3, content), line: 3 }
    },
    twin: 'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPrivate-Lines: 1\n...\n'
  },
  {
    rule: 'gcp-service-account-key',
    file: 'sa.json',
    make: () => {
      const pem = pemKey('rsa')
      const content = `{\n  "type": "service_account",\n  "private_key": "${escapedPem(pem)}",\n  "client_email": "x@p.iam.gserviceaccount.com"\n}\n`
      return { secret: pem.split('\n')[1] ?? '', content, line: 3 }
    },
    twin: '{\n  "type": "service_account",\n  "private_key": "-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----\\n"\n}\n'
  },
  {
    rule: 'kubeconfig-client-key',
    file: 'kube.yaml',
    make: () => {
      const data = Buffer.from(pemKey('ec')).toString('base64')
      return line3(`    client-key-data: ${data}`, data)
    },
    twin: 'users:\n- name: u\n  user:\n    client-key-data: DATA+OMITTED\n'
  },
  {
    rule: 'kubeconfig-credential',
    file: '.kube/config',
    make: () => {
      const token = random(24, LETTERS.toLowerCase()) + '.' + random(16)
      return line3(`    token: ${token}`, token)
    },
    twin: 'users:\n- name: u\n  user:\n    token: <your-token>\n'
  },
  {
    rule: 'npmrc-auth',
    file: '.npmrc',
    make: () => {
      const value = uuid()
      return line3(`//registry.npmjs.org/:_authToken=${value}`, value)
    },
    twin: '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n'
  },
  {
    rule: 'docker-config-auth',
    file: '.docker/config.json',
    make: () => {
      const auth = Buffer.from(`robot:${random(20)}`).toString('base64')
      return { secret: auth, content: `{\n  "auths": {\n    "ghcr.io": { "auth": "${auth}" }\n  }\n}\n`, line: 3 }
    },
    twin: '{\n  "auths": { "ghcr.io": {} },\n  "credsStore": "desktop"\n}\n'
  },
  {
    rule: 'git-credentials',
    file: '.git-credentials',
    make: () => {
      const password = random(24)
      return line3(`https://robot:${password}@git.internal.corp`, password)
    },
    twin: 'https://robot:${GIT_TOKEN}@git.internal.corp\n'
  },
  {
    rule: 'netrc-password',
    file: '.netrc',
    make: () => {
      const password = random(16)
      return line3(`machine api.internal.corp login bob password ${password}`, password)
    },
    twin: 'machine api.internal.corp login bob password changeme\n'
  },
  {
    rule: 'pypirc-password',
    file: '.pypirc',
    make: () => {
      const password = random(24)
      return line3(`password = ${password}`, password)
    },
    twin: '[pypi]\nusername = __token__\npassword = <your PyPI token>\n'
  },
  {
    rule: 'url-credentials',
    file: 'config.yaml',
    make: () => {
      const password = random(20)
      return line3(`database_url: postgres://app:${password}@db.internal:5432/app`, password)
    },
    twin: 'database_url: postgres://user:password@localhost/db\nother: https://user:${PASSWORD}@host.internal/x\n'
  },
  {
    rule: 'connection-string-password',
    file: 'appsettings.ini',
    make: () => {
      const password = random(14)
      return line3(`ConnectionString=Server=db;Database=app;User Id=sa;Password=${password};`, password)
    },
    twin: 'ConnectionString=Server=db;Database=app;User Id=sa;Password=<password>;\n'
  },
  {
    rule: 'dotenv-secret',
    file: '.env',
    make: () => {
      const password = random(12)
      return line3(`DB_PASSWORD=${password}`, password)
    },
    twin: 'DB_PASSWORD=changeme\nAPI_TOKEN=${API_TOKEN}\nSECRET_KEY=\n'
  },
  {
    rule: 'generic-secret',
    file: 'settings.yaml',
    make: () => {
      const key = random(32)
      return line3(`api_key: "${key}"`, key)
    },
    twin: 'api_key: "your-api-key-here"\nsecret: "${{ secrets.API_KEY }}"\ntoken: 123e4567-e89b-12d3-a456-426614174000\n'
  }
]

const tree = new TempTree()
const outside = new TempTree('secrets-outside-')
const secrets = new Map<string, { secret: string; line: number }>()
let result: ScanResult

beforeAll(async () => {
  for (const c of CASES) {
    const made = c.make()
    const secret = made.secret !== '' ? made.secret : (/(?:=|:)\s*(\S+)\s*$/.exec(made.content.trimEnd())?.[1] ?? '')
    secrets.set(c.rule, { secret, line: made.line })
    tree.write(`real/${c.rule}/${c.file}`, made.content)
    tree.write(`twin/${c.rule}/${c.file}`, c.twin)
    tree.write(`ignored/${c.rule}/${c.file}`, made.content)
    outside.write(`${c.rule}/${c.file}`, made.content)
  }
  tree.write('.dockerignore', 'ignored\n')
  tree.write('Dockerfile', 'FROM ghcr.io/openhands/agent-server:1.23.0-python\n')
  symlinkSync(outside.root, tree.path('link-out'))
  result = await scanContext({ context: tree.root, dockerfile: tree.path('Dockerfile') })
})

afterAll(() => {
  tree.remove()
  outside.remove()
})

test('every rule has a case', () => {
  const covered = new Set(CASES.map((c) => c.rule))
  const missing = RULES.map((r) => r.id).filter((id) => !covered.has(id) && !id.startsWith('dockerfile-'))
  expect(missing).toEqual([])
})

describe.each(CASES.map((c) => [c.rule, c] as const))('%s', (rule, c) => {
  test('found at the right line', () => {
    const found = result.findings.filter((f) => f.file === `real/${rule}/${c.file}`)
    expect(found.map((f) => [f.rule, f.line])).toEqual([[rule, secrets.get(rule)?.line]])
    expect(found[0]?.hint).toMatch(/^.{0,4}\u2026 \(\d+ chars\)$/)
  })

  test('not found in its placeholder twin', () => {
    expect(result.findings.filter((f) => f.file.startsWith(`twin/${rule}/`))).toEqual([])
  })

  test('not found when dockerignored or outside the context', () => {
    expect(result.findings.filter((f) => !f.file.startsWith('real/') && !f.file.startsWith('twin/'))).toEqual([])
  })

  test('never printed raw', () => {
    const secret = secrets.get(rule)?.secret ?? ''
    expect(secret.length).toBeGreaterThan(7)
    expect(JSON.stringify(result)).not.toContain(secret)
    expect(JSON.stringify(toSarif(result, '0.0.0'))).not.toContain(secret)
  })
})

test('the symlink out of the context is named, not followed', () => {
  expect(result.skipped).toContainEqual({ file: 'link-out', reason: 'symlink to outside the context, not followed' })
})

test('no other findings and no warnings', () => {
  expect(result.findings.length).toBe(CASES.length)
  expect(result.warnings).toEqual([])
})

test('alphabets are what the formats use', () => {
  expect(ALNUM).toHaveLength(62)
})
