// The key/value reader across syntaxes: each row is a file kind, a line with a generated value, and the rule
// expected on it (or none), with the exact value span checked through the finding's column.
import { BUFFER_SIZE, scanFile, type FileKind } from '../../src/secrets/engine.js'
import { hexEntropyFloor, looksRandomSecret, shannonEntropy } from '../../src/secrets/values.js'
import { ALNUM, HEX, badChecksum, random, uuid } from './fixtures.js'

/** A random hex key a user would hold (drawn again in the one case in ten million that is as regular as a stand-in). */
function hexKey(length: number): string {
  for (;;) {
    const key = random(length, HEX)
    if (shannonEntropy(key) >= hexEntropyFloor(length)) return key
  }
}

const conf: FileKind = { dotenv: false, codeFile: false, dockerfile: false }
const code: FileKind = { dotenv: false, codeFile: true, dockerfile: false }
const env: FileKind = { dotenv: true, codeFile: false, dockerfile: false }

function scan(text: string, kind: FileKind) {
  const data = Buffer.from(text, 'latin1')
  const buf = Buffer.alloc(BUFFER_SIZE)
  return scanFile((b, o, l, p) => data.copy(b, o, p, Math.min(data.length, p + l)), buf, data.length, kind).findings
}

/** A random 32-character key (redrawn in the rare case it looks too regular; values.test measures that rate). */
const v = (): string => {
  for (;;) {
    const value = random(32, ALNUM)
    if (looksRandomSecret(value)) return value
  }
}
type Row = [name: string, kind: FileKind, make: (value: string) => string, value: () => string, rule: string | undefined]

const ROWS: Row[] = [
  ['Go short declaration', code, s => `\tapiToken := "${s}"`, v, 'generic-secret'],
  ['Go var with a type', code, s => `var apiToken string = "${s}"`, v, 'generic-secret'],
  ['Go const with a type', code, s => `const ServiceSecret string = \`${s}\``, v, 'generic-secret'],
  ['TypeScript typed const', code, s => `const apiToken: string = '${s}'`, v, 'generic-secret'],
  ['Kotlin typed val', code, s => `val apiSecret: String = "${s}"`, v, 'generic-secret'],
  ['PHP append', code, s => `$token .= "${s}";`, v, 'generic-secret'],
  ['PHP array', code, s => `'api_key' => '${s}',`, v, 'generic-secret'],
  ['make ::=', conf, s => `API_TOKEN ::= ${s}`, v, 'generic-secret'],
  ['make :::=', conf, s => `API_TOKEN :::= ${s}`, v, 'generic-secret'],
  ['make ?=', conf, s => `API_TOKEN ?= ${s}`, v, 'generic-secret'],
  ['make +=', conf, s => `API_TOKEN += ${s}`, v, 'generic-secret'],
  ['Java setProperty', code, s => `System.setProperty("X_TOKEN", "${s}");`, v, 'generic-secret'],
  ['Python setdefault', code, s => `os.environ.setdefault('SERVICE_TOKEN', '${s}')`, v, 'generic-secret'],
  ['JSON string KEY=value', conf, s => `  "environment": ["LOG=1", "X_TOKEN=${s}"]`, v, 'generic-secret'],
  ['Dockerfile exec form env', conf, s => `CMD ["run", "--api-key=${s}"]`, v, 'generic-secret'],
  ['XML element on one line', conf, s => `<token>${s}</token>`, v, 'generic-secret'],
  ['XML element across lines', conf, s => `<apiToken>\n    ${s}\n  </apiToken>`, v, 'generic-secret'],
  ['.NET appSettings', conf, s => `<add key="ApiToken" value="${s}" />`, v, 'generic-secret'],
  ['YAML folded block', conf, s => `token: >-\n  ${s}\n`, v, 'generic-secret'],
  ['YAML literal block', conf, s => `secret: |\n    ${s}\n`, v, 'generic-secret'],
  ['INI', conf, s => `client_secret = ${s}`, v, 'generic-secret'],
  ['TOML', conf, s => `api_key = "${s}"`, v, 'generic-secret'],
  ['shell export', conf, s => `export SERVICE_TOKEN="${s}"`, v, 'generic-secret'],
  ['hex key under an unmistakable name', conf, s => `SERVICE_API_KEY=${s}`, () => hexKey(24), 'generic-secret'],
  ['UUID under an unmistakable name', conf, s => `SERVICE_API_KEY: ${s}`, () => uuid(), 'generic-secret'],
  ['40-hex under an unmistakable name', conf, s => `deploy_token = "${s}"`, () => hexKey(40), 'generic-secret'],
  ['UUID under a Heroku key in .env', env, s => `HEROKU_API_KEY=${s}`, () => uuid(), 'heroku-api-key'],
  ['UUID under a Snyk key', conf, s => `SNYK_TOKEN: ${s}`, () => uuid(), 'snyk-token'],
  ['40-hex under a Sonar key', conf, s => `sonar.token=${s}`, () => hexKey(40), 'sonar-token'],
  ['40-hex under a Meraki key', conf, s => `MERAKI_DASHBOARD_API_KEY=${s}`, () => hexKey(40), 'meraki-api-key'],
  ['32-hex under a Datadog key', conf, s => `DD_API_KEY=${s}`, () => hexKey(32), 'datadog-api-key'],
  ['Rust const with &str', code, s => `pub const SERVICE_TOKEN: &str = "${s}";`, v, 'generic-secret'],
  ['a line of code inside a JSON string (notebook)', conf, s => `  "SERVICE_TOKEN = \\"${s}\\"\\n",`, v, 'generic-secret'],
  ['Ruby ||=', code, s => `ENV['SERVICE_TOKEN'] ||= '${s}'`, v, 'generic-secret'],
  ['Kubernetes env name and value', conf, s => `  - name: SERVICE_TOKEN\n    value: "${s}"`, v, 'generic-secret'],
  ['ECS name and value', conf, s => `{"name": "SERVICE_TOKEN", "value": "${s}"}`, v, 'generic-secret'],
  ['escaped lines in a JSON string', conf, s => `"config": "LOG=1\\nSERVICE_TOKEN=${s}\\nRETRIES=3"`, v, 'generic-secret'],
  ['escaped lines in a string in code', code, s => `const env = "LOG=1\\nSERVICE_TOKEN=${s}\\n"`, v, 'generic-secret'],
  ['Spring property element', conf, s => `<property name="password" value="${s}"/>`, v, 'generic-secret'],
  ['a prefix names the provider (checksum off)', conf, s => `api_token: "${s}"`, () => badChecksum('ghp_'), 'github-classic-token'],
  ['NuGet ClearTextPassword', conf, s => `<add key="ClearTextPassword" value="${s}" />`, () => `${random(6)}#${random(5)}`, 'nuget-cleartext-password'],
  [
    'libpq connection string',
    code,
    s => `psycopg2.connect("host=db.internal dbname=app user=app password=${s}")`,
    () => random(14),
    'connection-string-password'
  ],
  ['JDBC SQL Server', conf, s => `url=jdbc:sqlserver://db:1433;databaseName=app;user=app;password=${s};`, () => random(14), 'connection-string-password'],
  ['connection string that starts with Password', code, s => `var cs = "Password=${s};Server=db;User Id=sa";`, () => random(14), 'connection-string-password'],
  ['Bundler credentials', env, s => `BUNDLE_GEMS__CONTRIBSYS__COM=a1b2c3d4:${s}`, () => random(8, HEX), 'bundler-credentials'],
  // Quiet
  ['a hidden form field', conf, s => `<input type="hidden" name="authenticity_token" value="${s}">`, v, undefined],
  ['a Mapbox public token', code, s => `mapboxgl.accessToken = '${s}'`, () => `pk.eyJ1Ijoi${random(40)}.${random(22)}`, undefined],
  ['a Bundler build option', env, s => `BUNDLE_BUILD__NOKOGIRI=--use-system-libraries:${s}`, () => random(8, HEX), undefined],
  ['a UUID under a plain key', conf, s => `token: ${s}`, () => uuid(), undefined],
  ['a git SHA under a plain key', conf, s => `token = ${s}`, () => hexKey(40), undefined],
  ['a 16-hex fingerprint', conf, s => `b.conf:npm-access-token:${s}`, () => random(16, HEX), undefined],
  ['a C++ scope', code, s => `auto x = Config::token; // ${s}`, v, undefined],
  ['a comparison', code, s => `if (token == "${s}") {}`, v, undefined],
  ['a bare expression in code', code, s => `apiToken = ${s}`, v, undefined],
  ['an ARN under SecretId', conf, () => 'SecretId: arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf', v, undefined],
  ['a Go type without a value', code, s => `var apiToken string // ${s}`, v, undefined]
]

test.each(ROWS)('%s', (_name, kind, make, value, rule) => {
  const secret = value()
  const line = make(secret)
  const text = `# first\n${line}\n`
  const findings = scan(text, kind)
  if (rule === undefined) {
    expect(findings).toEqual([])
    return
  }
  expect(findings.map(f => [f.rule, f.value])).toEqual([[rule, secret]])
  const at = text.indexOf(secret)
  const lineStart = text.lastIndexOf('\n', at - 1)
  expect(findings[0]?.column).toBe(at - lineStart)
})
