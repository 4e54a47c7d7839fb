// Shapes a rule's single case does not show: multi-line curl commands, Kubernetes Secret manifests in their usual
// layouts, tokens inside URLs and CLI commands, documented examples. Each row: a file kind, a text built around a
// generated value, and the exact (rule, line, value) findings expected; [] for look-alikes that must stay quiet.
import { createHash } from 'node:crypto'
import { BUFFER_SIZE, scanFile, type FileKind } from '../../src/secrets/engine.js'
import { makeBotToken } from '../../src/secrets/rules/discord.js'
import { makeClientSecret } from '../../src/secrets/rules/azure.js'
import { DOCUMENTED_EXAMPLES } from '../../src/secrets/examples.js'
import { BASE64, HEX, TOKEN, checksummed, random, randomBelow } from './fixtures.js'

const conf: FileKind = { dotenv: false, codeFile: false, dockerfile: false }
const code: FileKind = { dotenv: false, codeFile: true, dockerfile: false }

function scan(text: string, kind: FileKind): Array<[string, number, string]> {
  const data = Buffer.from(text, 'latin1')
  const buf = Buffer.alloc(BUFFER_SIZE)
  const { findings } = scanFile((b, o, l, p) => data.copy(b, o, p, Math.min(data.length, p + l)), buf, data.length, kind)
  return findings.filter(f => f.example !== true).map(f => [f.rule, f.line, f.value])
}

const b64 = (s: string): string => Buffer.from(s).toString('base64')
const password = (): string => `${random(6)}-${random(8)}`

type Row = [name: string, kind: FileKind, build: () => { text: string; expected: Array<[string, number, string]> }]

const ROWS: Row[] = [
  [
    'curl -u on a continued line',
    conf,
    () => {
      const p = password()
      return { text: `#!/bin/sh\ncurl -fsS \\\n  --retry 3 \\\n  -u deploy:${p} \\\n  https://dav.internal/x\n`, expected: [['curl-user-password', 4, p]] }
    }
  ],
  [
    'curl --user= with quotes',
    conf,
    () => {
      const p = password()
      return { text: `curl --user='ci:${p}' https://dav.internal/x\n`, expected: [['curl-user-password', 1, p]] }
    }
  ],
  ['-u outside curl', conf, () => ({ text: `docker exec -u app:${password()} web ls\n`, expected: [] })],
  [
    'Basic header in Go',
    code,
    () => {
      const v = b64(`svc:${password()}`)
      return { text: `req.Header.Set("Authorization", "Basic ${v}")\n`, expected: [['http-basic-auth', 1, v]] }
    }
  ],
  ['Basic header without a password', code, () => ({ text: `req.Header.Set("Authorization", "Basic ${b64(random(12))}")\n`, expected: [] })],
  [
    'Bearer header with a dotted opaque token',
    code,
    () => {
      const v = `${random(30)}.${random(12)}`
      return { text: `headers = {"Authorization": "Bearer ${v}"}\n`, expected: [['http-bearer-token', 1, v]] }
    }
  ],
  [
    'Kubernetes Secret: data before kind, after a ConfigMap',
    conf,
    () => {
      const v = b64(password())
      const text = `apiVersion: v1\nkind: ConfigMap\ndata:\n  LOG_LEVEL: info\n---\napiVersion: v1\nmetadata:\n  name: db\ndata:\n  username: ${b64('app')}\n  DB_PASSWORD: ${v}\nkind: Secret\n`
      return { text, expected: [['kubernetes-secret', 11, v]] }
    }
  ],
  [
    'Kubernetes Secret: a URL with a password and a docker config',
    conf,
    () => {
      const url = b64(`postgres://app:${password()}@db.internal:5432/app`)
      const docker = b64(JSON.stringify({ auths: { 'registry.internal': { auth: b64(`ci:${password()}`) } } }))
      const text = `kind: Secret\ntype: Opaque\ndata:\n  DATABASE_URL: ${url}\n  .dockerconfigjson: ${docker}\n  host: ${b64('db.internal')}\n`
      return {
        text,
        expected: [
          ['kubernetes-secret', 4, url],
          ['kubernetes-secret', 5, docker]
        ]
      }
    }
  ],
  [
    'Kubernetes Secret: stringData',
    conf,
    () => {
      const p = password()
      return { text: `kind: Secret\nstringData:\n  password: "${p}"\n`, expected: [['kubernetes-secret', 3, p]] }
    }
  ],
  ['Kubernetes SecretProviderClass', conf, () => ({ text: `kind: SecretProviderClass\ndata:\n  DB_PASS: ${b64(password())}\n`, expected: [] })],
  [
    'Telegram bot token in a Bot API URL',
    code,
    () => {
      const t = `${1 + randomBelow(9)}${random(9, '0123456789')}:AA${random(33, TOKEN)}`
      return { text: `fetch("https://api.telegram.org/bot${t}/getMe")\n`, expected: [['telegram-bot-token', 1, t]] }
    }
  ],
  ['a clock time is no Telegram token', conf, () => ({ text: `at 20231224:AA${'B'.repeat(33)}\n`, expected: [] })],
  [
    'Azure AD client secret in az login',
    conf,
    () => {
      const s = makeClientSecret({ int: randomBelow })
      return { text: `az login --service-principal -u app-id -p ${s} --tenant t\n`, expected: [['azure-ad-client-secret', 1, s]] }
    }
  ],
  [
    'Discord bot token passed to run()',
    code,
    () => {
      const t = makeBotToken({ int: randomBelow })
      return { text: `client.run('${t}')\n`, expected: [['discord-bot-token', 1, t]] }
    }
  ],
  [
    'Fly.io macaroons joined by a comma: one finding',
    conf,
    () => {
      const first = `fm2_${random(150, BASE64)}`
      return { text: `FLY_API_TOKEN="FlyV1 ${first},fm2_${random(60, BASE64)}"\n`, expected: [['flyio-access-token', 1, first]] }
    }
  ],
  [
    'a GitHub token at the start of an escaped line',
    conf,
    () => {
      const t = checksummed('ghp_')
      return { text: `{"notes": "rotate on Monday\\n${t}\\n"}\n`, expected: [['github-classic-token', 1, t]] }
    }
  ],
  [
    'PHP PDO password argument',
    code,
    () => {
      const p = password()
      return { text: `$db = new PDO('pgsql:host=db;dbname=app', 'app', '${p}');\n`, expected: [['connection-string-password', 1, p]] }
    }
  ],
  [
    'Sourcegraph token with an instance id',
    conf,
    () => {
      const t = `sgp_${random(16, HEX)}_${random(40, HEX)}`
      return { text: `SRC_ACCESS_TOKEN=${t}\n`, expected: [['sourcegraph-access-token', 1, t]] }
    }
  ]
]

test.each(ROWS)('%s', (_name, kind, build) => {
  const { text, expected } = build()
  expect(scan(text, kind)).toEqual(expected)
})

test("published examples are documented: Google's Maps sample key and the RFC Basic credentials", () => {
  const hashes = new Set(DOCUMENTED_EXAMPLES.map(e => e.sha256))
  const sha = (s: string): string => createHash('sha256').update(s).digest('hex')
  // Split so that this file holds no key-shaped literal.
  expect(hashes.has(sha(['AIzaSyB41DRUbKWJHPxa', 'FjMAwdrzWzbVKartNGg'].join('')))).toBe(true)
  expect(hashes.has(sha(b64(['s6BhdRkqt3', 'gX1fBat3bV'].join(':'))))).toBe(true)
  expect(hashes.has(sha(b64('Aladdin:open sesame')))).toBe(true)
  for (const e of DOCUMENTED_EXAMPLES) expect(e.source).toMatch(/^https:\/\//)
})
