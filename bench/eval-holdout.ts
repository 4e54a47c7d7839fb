// Hold-out evaluation of the secret scan (`npm run eval:holdout`). Unlike eval:scan, whose corpus is the rules' own
// cases, these samples are generated here from the providers' documented formats and never from a rule file:
// real-looking values in the shapes credentials take in practice (provider tokens, JWTs, curl and Authorization
// headers, basic-auth URLs, Bundler credentials, Kubernetes Secret manifests, Azure AD client secrets, database
// connection strings, NuGet.config, a value alone on a line, a JSON string holding escaped lines), written into
// files of many languages; plus negatives (hashes, ids, UUIDs, lock files, HTML forms, documented examples,
// placeholders, base64 images, public keys). Prints recall per provider, per kind and per syntax, the false
// findings on the negatives, and exits 1 below the targets (recall >= 95%, <= 10 false findings).
//
// Options: --seed N (default: the current time; printed so a run can be repeated), --dir PATH (keep the corpus),
// --target 0.95, --max-false 10.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { base62, crc32 } from '../src/secrets/checksum.js'
import { pct, scanCorpus, tally, type Tally } from './corpus.js'

const args = process.argv.slice(2)
const option = (name: string): string | undefined => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const seed = Number(option('--seed') ?? Date.now() % 2 ** 31)
const target = Number(option('--target') ?? 0.95)
const maxFalse = Number(option('--max-false') ?? 10)

// ---------------------------------------------------------------------------------------------------------------
// Seeded randomness (mulberry32) and alphabets

let state = seed >>> 0
function int(n: number): number {
  state = (state + 0x6d2b79f5) >>> 0
  let t = state
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)
}
const DIG = '0123456789'
const UP = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
const LOW = 'abcdefghijklmnopqrstuvwxyz'
const AN = DIG + UP + LOW
const HEX = '0123456789abcdef'
const URLSAFE = `${AN}_-`
const B64 = `${AN}+/`
const s = (n: number, alphabet = AN): string => Array.from({ length: n }, () => alphabet[int(alphabet.length)]).join('')
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!
const uuid = (): string => `${s(8, HEX)}-${s(4, HEX)}-4${s(3, HEX)}-${pick(['8', '9', 'a', 'b'])}${s(3, HEX)}-${s(12, HEX)}`
const b64 = (text: string): string => Buffer.from(text).toString('base64')
const b64url = (text: string): string => Buffer.from(text).toString('base64url')
const WORDS = ['river', 'falcon', 'copper', 'meadow', 'orbit', 'harbor', 'velvet', 'summit', 'lantern', 'cobalt', 'prairie', 'tundra']
/** A password a person would choose: words, digits, a symbol; or a generated one. */
const password = (): string =>
  pick([
    () => `${pick(WORDS)[0]!.toUpperCase()}${pick(WORDS).slice(1)}${s(3, DIG)}${pick(['!', '#', '%', '*', '-'])}${pick(WORDS)}`,
    () => s(20),
    () => `${s(8)}-${s(8)}-${s(4, DIG)}`
  ])()
const user = (): string => pick(['deploy', 'svc-api', 'app_rw', 'ci-bot', 'backup', 'jenkins', 'etl_loader', 'reporting'])
const host = (): string =>
  `${pick(['db', 'pg', 'mq', 'cache', 'git', 'nexus', 'api'])}${int(9) + 1}.${pick(['prod', 'eu-west-1', 'corp', 'svc'])}.${pick(['acme-corp.io', 'northwind.net', 'globex.cloud'])}`

// ---------------------------------------------------------------------------------------------------------------
// Provider token formats, from each provider's documentation

const github = (prefix: string): string => {
  const body = s(30)
  return `${prefix}${body}${base62(crc32(body), 6)}`
}
function jwt(): string {
  const header = pick([
    { alg: 'HS256', typ: 'JWT' },
    { typ: 'JWT', alg: 'RS256', kid: s(16, HEX) },
    { alg: 'ES256', kid: s(8) },
    { alg: 'RS512', typ: 'JWT' }
  ])
  const now = 1_700_000_000 + int(60_000_000)
  const payload = pick([
    { sub: uuid(), iss: `https://auth.${pick(['acme-corp.io', 'globex.cloud'])}/`, aud: 'api', iat: now, exp: now + 3600, scope: 'read write' },
    { user_id: int(100000), role: pick(['admin', 'service', 'reader']), iat: now },
    { iss: 'ci', sub: `repo:${pick(WORDS)}/${pick(WORDS)}:ref:refs/heads/main`, jti: s(22), exp: now + 600 }
  ])
  const sign = header.alg === 'HS256' ? 43 : header.alg === 'ES256' ? 86 : 342
  const json = (o: object): string => (int(2) === 0 ? JSON.stringify(o) : JSON.stringify(o).replace(/([:,])/g, '$1 '))
  return `${b64url(json(header))}.${b64url(json(payload))}.${s(sign, URLSAFE)}`
}
const azureAd = (): string => `${s(3, `${AN}_~.`)}${s(1, DIG)}Q~${s(34, `${AN}_~.-`)}`
const discordSnowflake = (): string => `1${s(18, DIG)}`

interface Shape {
  provider: string
  /** Rule ids that name the provider (a finding under another rule still counts as found). */
  rules: string[]
  key: string
  make(): string
  /** Self-identifying (checksum or strong prefix): also written alone on a line. */
  alone?: boolean
  /** Sent as a bearer token: also written into a curl Authorization header. */
  bearer?: boolean
}

const SHAPES: Shape[] = [
  // https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/about-authentication-to-github#githubs-token-formats
  { provider: 'GitHub', rules: ['github-classic-token'], key: 'GITHUB_TOKEN', make: () => github('ghp_'), alone: true, bearer: true },
  { provider: 'GitHub', rules: ['github-app-token'], key: 'GH_INSTALLATION_TOKEN', make: () => github('ghs_'), alone: true, bearer: true },
  { provider: 'GitHub', rules: ['github-oauth-token'], key: 'GITHUB_OAUTH_TOKEN', make: () => github('gho_'), alone: true },
  { provider: 'GitHub', rules: ['github-fine-grained-token'], key: 'GH_PAT', make: () => `github_pat_${s(22)}_${s(59)}`, alone: true, bearer: true },
  // https://www.kucoin.com/docs/basic-info/connection-method/authentication/creating-a-request
  { provider: 'KuCoin', rules: ['kucoin-api-key'], key: 'KUCOIN_API_KEY', make: () => s(24, HEX) },
  { provider: 'KuCoin', rules: ['kucoin-api-secret'], key: 'KUCOIN_API_SECRET', make: uuid },
  // https://developers.hubspot.com/docs/api/private-apps
  {
    provider: 'HubSpot',
    rules: ['hubspot-private-app-token'],
    key: 'HUBSPOT_ACCESS_TOKEN',
    make: () => `pat-${pick(['na1', 'eu1', 'na2'])}-${uuid()}`,
    alone: true,
    bearer: true
  },
  { provider: 'HubSpot', rules: ['hubspot-api-key'], key: 'HUBSPOT_API_KEY', make: uuid },
  // https://developers.dropbox.com/oauth-guide
  {
    provider: 'Dropbox',
    rules: ['dropbox-access-token'],
    key: 'DROPBOX_ACCESS_TOKEN',
    make: () => `sl.${pick(['', 'u.'])}${s(140 + int(20), URLSAFE)}`,
    alone: true,
    bearer: true
  },
  { provider: 'Dropbox', rules: ['dropbox-app-secret'], key: 'DROPBOX_APP_SECRET', make: () => s(15, DIG + LOW) },
  // https://learn.microsoft.com/en-us/linkedin/shared/authentication/client-credentials-flow
  { provider: 'LinkedIn', rules: ['linkedin-client-secret'], key: 'LINKEDIN_CLIENT_SECRET', make: () => s(16) },
  // https://docs.mapbox.com/accounts/guides/tokens/
  {
    provider: 'Mapbox',
    rules: ['mapbox-secret-token'],
    key: 'MAPBOX_SECRET_TOKEN',
    make: () => `sk.${b64url(JSON.stringify({ u: pick(WORDS) + s(3, DIG), a: s(25, LOW + DIG) }))}.${s(22, URLSAFE)}`,
    alone: true
  },
  // https://sendbird.com/docs/chat/platform-api/v3/prepare-to-use-api#2-authentication
  { provider: 'Sendbird', rules: ['sendbird-api-token'], key: 'SENDBIRD_API_TOKEN', make: () => s(40, HEX) },
  // https://developers.squarespace.com/commerce-apis/authentication-and-permissions
  { provider: 'Squarespace', rules: ['squarespace-api-key'], key: 'SQUARESPACE_API_KEY', make: uuid },
  // https://sourcegraph.com/docs/cli/how-tos/creating-an-access-token
  {
    provider: 'Sourcegraph',
    rules: ['sourcegraph-access-token'],
    key: 'SRC_ACCESS_TOKEN',
    make: () => `sgp_${pick([`${s(16, HEX)}_`, 'local_', ''])}${s(40, HEX)}`,
    alone: true,
    bearer: true
  },
  // https://developer.x.com/en/docs/authentication/oauth-2-0/bearer-tokens
  {
    provider: 'Twitter/X',
    rules: ['twitter-bearer-token'],
    key: 'TWITTER_BEARER_TOKEN',
    make: () => `${'A'.repeat(22)}${s(20)}%3D${s(50)}`,
    alone: true,
    bearer: true
  },
  { provider: 'Twitter/X', rules: ['twitter-api-secret'], key: 'TWITTER_API_SECRET', make: () => s(50) },
  { provider: 'Twitter/X', rules: ['twitter-access-token'], key: 'TWITTER_ACCESS_TOKEN', make: () => `${int(9) + 1}${s(17, DIG)}-${s(40)}` },
  // https://developers.messagebird.com/api/#authentication
  { provider: 'MessageBird', rules: ['messagebird-access-key'], key: 'MESSAGEBIRD_ACCESS_KEY', make: () => `${pick(['live_', 'test_', ''])}${s(25)}` },
  // https://airtable.com/developers/web/api/authentication
  {
    provider: 'Airtable',
    rules: ['airtable-personal-access-token'],
    key: 'AIRTABLE_TOKEN',
    make: () => `pat${s(14)}.${s(64, HEX)}`,
    alone: true,
    bearer: true
  },
  { provider: 'Airtable', rules: ['airtable-api-key'], key: 'AIRTABLE_API_KEY', make: () => `key${s(14)}` },
  // https://discord.com/developers/docs/reference#authentication
  {
    provider: 'Discord',
    rules: ['discord-bot-token'],
    key: 'DISCORD_BOT_TOKEN',
    make: () => `${b64url(discordSnowflake())}.${s(6, URLSAFE)}.${s(38, URLSAFE)}`,
    alone: true
  },
  { provider: 'Discord', rules: ['discord-client-secret'], key: 'DISCORD_CLIENT_SECRET', make: () => s(32, URLSAFE) },
  // https://docs.easypost.com/docs/authentication
  { provider: 'EasyPost', rules: ['easypost-api-key'], key: 'EASYPOST_API_KEY', make: () => `${pick(['EZAK', 'EZTK'])}${s(54, HEX)}`, alone: true },
  // https://developers.facebook.com/docs/facebook-login/guides/access-tokens
  {
    provider: 'Facebook',
    rules: ['facebook-access-token'],
    key: 'FB_PAGE_ACCESS_TOKEN',
    make: () => `EAA${s(1, UP.slice(1))}${s(150 + int(60))}`,
    alone: true,
    bearer: true
  },
  { provider: 'Facebook', rules: ['facebook-app-secret'], key: 'FACEBOOK_APP_SECRET', make: () => s(32, HEX) },
  // https://fly.io/docs/security/tokens/
  {
    provider: 'Fly.io',
    rules: ['flyio-access-token'],
    key: 'FLY_API_TOKEN',
    make: () => `FlyV1 fm2_${s(120 + int(200), B64)}==,fm2_${s(80, B64)}`,
    alone: true
  },
  // https://jfrog.com/help/r/jfrog-platform-administration-documentation/access-tokens
  { provider: 'JFrog', rules: ['jfrog-api-key'], key: 'ARTIFACTORY_API_KEY', make: () => `AKCp${s(69)}`, alone: true },
  { provider: 'JFrog', rules: ['jfrog-identity-token'], key: 'JFROG_IDENTITY_TOKEN', make: () => s(64) },
  // https://core.telegram.org/bots/features#botfather
  { provider: 'Telegram', rules: ['telegram-bot-token'], key: 'TELEGRAM_BOT_TOKEN', make: () => `${int(9) + 1}${s(9, DIG)}:AA${s(33, URLSAFE)}`, alone: true },
  // https://learn.microsoft.com/en-us/purview/sit-defn-azure-ad-client-secret
  { provider: 'Azure AD', rules: ['azure-ad-client-secret'], key: 'AZURE_CLIENT_SECRET', make: azureAd, alone: true },
  // https://www.rfc-editor.org/rfc/rfc7519
  { provider: 'JWT', rules: ['jwt'], key: 'SERVICE_ACCESS_TOKEN', make: jwt, alone: true, bearer: true }
]

// ---------------------------------------------------------------------------------------------------------------
// Syntaxes: a key and its value in files of many languages. `line` is where the value is.

const camel = (key: string): string => key.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())
const pascal = (key: string): string => camel(key).replace(/^./, c => c.toUpperCase())
const snake = (key: string): string => key.toLowerCase()

interface Syntax {
  name: string
  file: string
  write(key: string, value: string): { text: string; line: number }
}

const SYNTAXES: Syntax[] = [
  { name: 'python', file: 'settings.py', write: (k, v) => ({ text: `import os\n\n${k} = os.environ.get("${k}", "${v}")\n`, line: 3 }) },
  { name: 'javascript', file: 'config.js', write: (k, v) => ({ text: `module.exports = {\n  port: 8080,\n  ${camel(k)}: '${v}',\n}\n`, line: 3 }) },
  { name: 'typescript', file: 'env.ts', write: (k, v) => ({ text: `// generated\n\nexport const ${k}: string = "${v}"\n`, line: 3 }) },
  { name: 'go', file: 'config.go', write: (k, v) => ({ text: `package config\n\nconst ${camel(k)} = "${v}"\n`, line: 3 }) },
  {
    name: 'java',
    file: 'Config.java',
    write: (k, v) => ({ text: `public class Config {\n  // client\n  private static final String ${k} = "${v}";\n}\n`, line: 3 })
  },
  { name: 'ruby', file: 'config.rb', write: (k, v) => ({ text: `# frozen_string_literal: true\n\nENV['${k}'] ||= '${v}'\n`, line: 3 }) },
  { name: 'php', file: 'config.php', write: (k, v) => ({ text: `<?php\n\ndefine('${k}', '${v}');\n`, line: 3 }) },
  {
    name: 'csharp',
    file: 'Settings.cs',
    write: (k, v) => ({ text: `namespace App {\n  public static class Settings {\n    public const string ${pascal(k)} = "${v}";\n  }\n}\n`, line: 3 })
  },
  { name: 'shell', file: 'deploy.sh', write: (k, v) => ({ text: `#!/usr/bin/env bash\nset -euo pipefail\nexport ${k}='${v}'\n`, line: 3 }) },
  { name: 'yaml', file: 'values.yaml', write: (k, v) => ({ text: `app:\n  replicas: 2\n  ${snake(k)}: "${v}"\n`, line: 3 }) },
  { name: 'json', file: 'appsettings.json', write: (k, v) => ({ text: `{\n  "Logging": { "Level": "Info" },\n  "${pascal(k)}": "${v}"\n}\n`, line: 3 }) },
  { name: 'env', file: '.env', write: (k, v) => ({ text: `NODE_ENV=production\nPORT=3000\n${k}=${v}\n`, line: 3 }) },
  { name: 'dockerfile', file: 'Dockerfile', write: (k, v) => ({ text: `FROM node:22-slim\nWORKDIR /app\nENV ${k}="${v}"\n`, line: 3 }) },
  {
    name: 'html',
    file: 'index.html',
    write: (k, v) => ({ text: `<!doctype html>\n<script>\n  window.${camel(k)} = "${v}";\n</script>\n`, line: 3 })
  },
  {
    name: 'xml',
    file: 'app.config',
    write: (k, v) => ({ text: `<configuration>\n  <appSettings>\n    <add key="${pascal(k)}" value="${v}" />\n  </appSettings>\n</configuration>\n`, line: 3 })
  },
  { name: 'ini', file: 'app.ini', write: (k, v) => ({ text: `[service]\nregion = eu-west-1\n${snake(k)} = ${v}\n`, line: 3 }) },
  { name: 'toml', file: 'config.toml', write: (k, v) => ({ text: `[service]\nname = "api"\n${snake(k)} = "${v}"\n`, line: 3 }) },
  {
    name: 'k8s-env',
    file: 'deployment.yaml',
    write: (k, v) => ({
      text: `apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          env:\n            - name: ${k}\n              value: "${v}"\n`,
      line: 10
    })
  },
  { name: 'powershell', file: 'setup.ps1', write: (k, v) => ({ text: `# CI setup\n$ErrorActionPreference = 'Stop'\n$env:${k} = "${v}"\n`, line: 3 }) },
  { name: 'batch', file: 'setup.cmd', write: (k, v) => ({ text: `@echo off\nrem CI setup\nset ${k}=${v}\n`, line: 3 }) },
  { name: 'rust', file: 'config.rs', write: (k, v) => ({ text: `// settings\n\npub const ${k}: &str = "${v}";\n`, line: 3 }) },
  { name: 'kotlin', file: 'Config.kt', write: (k, v) => ({ text: `object Config {\n    // client\n    const val ${k} = "${v}"\n}\n`, line: 3 }) },
  { name: 'hcl', file: 'main.tf', write: (k, v) => ({ text: `provider "x" {\n  region = "eu-west-1"\n  ${snake(k)} = "${v}"\n}\n`, line: 3 }) },
  {
    name: 'compose',
    file: 'docker-compose.yml',
    write: (k, v) => ({ text: `services:\n  api:\n    image: api:1\n    environment:\n      - ${k}=${v}\n`, line: 5 })
  },
  { name: 'yaml-flow', file: 'settings.yml', write: (k, v) => ({ text: `# flow style\n\nclient: { region: eu, ${snake(k)}: "${v}" }\n`, line: 3 }) },
  {
    name: 'notebook',
    file: 'analysis.ipynb',
    write: (k, v) => ({ text: `{\n "cells": [{"cell_type": "code", "source": [\n  "import os\\n",\n  "${k} = \\"${v}\\"\\n"\n ]}]\n}\n`, line: 4 })
  },
  {
    name: 'json-escaped',
    file: 'task.json',
    write: (k, v) => ({ text: `{\n  "name": "worker",\n  "config": "# worker settings\\nLOG_LEVEL=info\\n${k}=${v}\\nRETRIES=3"\n}\n`, line: 3 })
  }
]

// ---------------------------------------------------------------------------------------------------------------
// The corpus

interface Sample {
  provider: string
  kind: string
  syntax: string
  file: string
  line: number
  rules: string[]
}

const root = option('--dir') ?? mkdtempSync(join(tmpdir(), 'sandbox-scan-holdout-'))
let n = 0
const samples: Sample[] = []
const negatives: Array<{ file: string; what: string }> = []
const write = (rel: string, text: string): void => {
  mkdirSync(dirname(join(root, rel)), { recursive: true })
  writeFileSync(join(root, rel), text)
}
const positive = (provider: string, kind: string, syntax: string, name: string, text: string, line: number, rules: string[] = []): void => {
  const file = `pos/${n++}/${name}`
  write(file, text)
  samples.push({ provider, kind, syntax, file, line, rules })
}
const SYNTAX_OF: Record<string, string> = {
  sh: 'shell',
  py: 'python',
  go: 'go',
  java: 'java',
  js: 'javascript',
  cs: 'csharp',
  php: 'php',
  http: 'http file',
  conf: 'nginx',
  json: 'json',
  config: 'xml',
  properties: 'java properties',
  yaml: 'yaml',
  ini: 'ini',
  tfvars: 'terraform',
  txt: 'plain',
  env: 'env',
  dockerfile: 'dockerfile'
}
/** The syntax of a file the kind samples write, from its name. */
const syntaxOf = (name: string): string => SYNTAX_OF[(name.split('.').pop() ?? name).toLowerCase()] ?? name
const negative = (what: string, name: string, text: string): void => {
  const file = `neg/${n++}/${name}`
  write(file, text)
  negatives.push({ file, what })
}

for (const shape of SHAPES) {
  const kind = shape.provider === 'JWT' ? 'jwt' : shape.provider === 'Azure AD' ? 'azure-ad-client-secret' : 'provider token'
  for (const syntax of SYNTAXES) {
    const { text, line } = syntax.write(shape.key, shape.make())
    positive(shape.provider, syntax.name === 'json-escaped' ? 'json-escaped' : kind, syntax.name, syntax.file, text, line, shape.rules)
  }
  if (shape.alone === true) {
    positive(
      shape.provider,
      'alone on a line',
      'plain',
      pick(['token.txt', 'credentials', 'secret.key']),
      `# ${pick(WORDS)} ${pick(WORDS)}\n${shape.make()}\n`,
      2,
      shape.rules
    )
  }
  if (shape.bearer === true) {
    const text = `#!/bin/sh\ncurl -sS https://api.${pick(['acme-corp.io', 'globex.cloud'])}/v1/items \\\n  -H "Authorization: Bearer ${shape.make()}" \\\n  -H 'Accept: application/json'\n`
    positive(shape.provider, 'curl / Authorization header', 'shell', 'fetch.sh', text, 3, shape.rules)
  }
}

// curl -u and Authorization headers
for (let i = 0; i < 24; i++) {
  const u = user()
  const p = password()
  const url = `https://${host()}/api/v2/export`
  const basic = b64(`${u}:${p}`)
  const bearer = s(40 + int(24), `${AN}._-`)
  const variants: Array<[string, string, number]> = [
    ['backup.sh', `#!/bin/sh\ncurl -fsSL \\\n  -u ${u}:${p} \\\n  ${url} -o out.json\n`, 3],
    ['sync.sh', `#!/bin/sh\ncurl --user '${u}:${p}' ${url}\n`, 2],
    ['push.sh', `#!/bin/sh\ncurl -H "Authorization: Basic ${basic}" ${url}\n`, 2],
    ['client.py', `import requests\n\nheaders = {"Authorization": "Bearer ${bearer}"}\nrequests.get("${url}", headers=headers)\n`, 3],
    ['client.go', `package main\n\nfunc auth(req *http.Request) {\n\treq.Header.Set("Authorization", "Basic ${basic}")\n}\n`, 4],
    ['Client.java', `class Client {\n  void auth(HttpURLConnection c) {\n    c.setRequestProperty("Authorization", "Bearer ${bearer}");\n  }\n}\n`, 3],
    ['api.http', `GET ${url}\nAuthorization: Basic ${basic}\nAccept: application/json\n`, 2],
    ['nginx.conf', `location /upstream/ {\n  proxy_pass ${url};\n  proxy_set_header Authorization "Basic ${basic}";\n}\n`, 3],
    ['client.js', `export const api = axios.create({\n  baseURL: '${url}',\n  headers: { Authorization: 'Bearer ${bearer}' },\n})\n`, 3],
    ['Client.cs', `class C {\n  void M(HttpClient client) {\n    client.DefaultRequestHeaders.Add("Authorization", "Basic ${basic}");\n  }\n}\n`, 3]
  ]
  const [name, text, line] = variants[i % variants.length]!
  positive('-', 'curl / Authorization header', syntaxOf(name), name, text, line)
}

// URLs with a password
const enc = (p: string): string => encodeURIComponent(p)
for (let i = 0; i < 24; i++) {
  const scheme = pick(['https', 'http', 'ftp', 'amqp', 'amqps', 'smtp', 'git+https', 'sftp'])
  const url = `${scheme}://${user()}:${enc(password())}@${host()}${pick(['', ':5672', ':8443'])}/${pick(['repo.git', 'vhost', 'upload', ''])}`
  const syntax = SYNTAXES[i % SYNTAXES.length]!
  const { text, line } = syntax.write(pick(['UPSTREAM_URL', 'BROKER_URL', 'MIRROR_URL', 'REMOTE']), url)
  positive('-', 'basic-auth URL', syntax.name, syntax.file, text, line)
}

// Bundler / Sidekiq credentials: BUNDLE_<HOST>=user:password (https://bundler.io/man/bundle-config.1.html)
for (let i = 0; i < 16; i++) {
  const h = pick(['gems.contribsys.com', 'enterprise.contribsys.com', 'gems.acme-corp.io', 'rubygems.pkg.github.com', 'gem-mirror.northwind.net'])
  const env = `BUNDLE_${h.toUpperCase().replace(/-/g, '___').replace(/\./g, '__')}`
  const cred = h.endsWith('github.com') ? `${user()}:${github('ghp_')}` : `${s(8, HEX)}:${s(8, HEX)}`
  const variants: Array<[string, string, number]> = [
    ['.env', `RAILS_ENV=production\n${env}=${cred}\n`, 2],
    ['Dockerfile', `FROM ruby:3.3\nARG ${env}=${cred}\nRUN bundle install\n`, 2],
    ['config', `---\nBUNDLE_PATH: "vendor/bundle"\n${env}: "${cred}"\n`, 3],
    ['setup.sh', `#!/bin/sh\nbundle config set --global ${h} ${cred}\nbundle install\n`, 2],
    ['deployment.yaml', `spec:\n  containers:\n    - name: web\n      env:\n        - name: ${env}\n          value: "${cred}"\n`, 6]
  ]
  const [name, text, line] = variants[i % variants.length]!
  positive(
    '-',
    'Bundler credentials',
    name === 'config' ? 'yaml' : name === 'deployment.yaml' ? 'k8s-env' : syntaxOf(name),
    name === 'config' ? `.bundle/${name}` : name,
    text,
    line
  )
}

// Kubernetes Secret manifests with base64 data (https://kubernetes.io/docs/concepts/configuration/secret/)
for (let i = 0; i < 20; i++) {
  const [k, v] = pick([
    ['password', password()],
    ['DB_PASSWORD', password()],
    ['api-key', s(40)],
    ['token', s(48, URLSAFE)],
    ['client-secret', s(32)],
    ['DATABASE_URL', `postgres://app:${enc(password())}@${host()}:5432/app`],
    ['.dockerconfigjson', JSON.stringify({ auths: { 'registry.acme-corp.io': { auth: b64(`${user()}:${password()}`) } } })]
  ] as const)
  const order = int(2) === 0
  const head = order ? 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\n' : 'apiVersion: v1\nmetadata:\n  name: app\n'
  const data = `data:\n  username: ${b64(user())}\n  ${k}: ${b64(v)}\n`
  const tail = order ? `type: Opaque\n` : `kind: Secret\ntype: Opaque\n`
  const text = `${i % 3 === 0 ? '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  LOG_LEVEL: info\n---\n' : ''}${head}${data}${tail}`
  const line = text.split('\n').findIndex(l => l.startsWith(`  ${k}: `)) + 1
  positive('-', 'Kubernetes Secret', 'k8s', 'secret.yaml', text, line)
}

// Azure AD client secrets in their usual places
for (let i = 0; i < 10; i++) {
  const secret = azureAd()
  const variants: Array<[string, string, number]> = [
    ['appsettings.json', `{\n  "AzureAd": {\n    "ClientId": "${uuid()}",\n    "ClientSecret": "${secret}"\n  }\n}\n`, 4],
    ['login.sh', `#!/bin/sh\naz login --service-principal -u ${uuid()} -p ${secret} --tenant ${uuid()}\n`, 2],
    ['auth.py', `from azure.identity import ClientSecretCredential\n\ncred = ClientSecretCredential("${uuid()}", "${uuid()}", "${secret}")\n`, 3],
    ['terraform.tfvars', `client_id     = "${uuid()}"\nclient_secret = "${secret}"\n`, 2],
    ['secrets.txt', `${secret}\n`, 1]
  ]
  const [name, text, line] = variants[i % variants.length]!
  positive('Azure AD', 'azure-ad-client-secret', syntaxOf(name), name, text, line)
}

// Database connection strings
for (let i = 0; i < 24; i++) {
  const p = password()
  const h = host()
  const variants: Array<[string, string, number]> = [
    [
      'appsettings.json',
      `{\n  "ConnectionStrings": {\n    "Default": "Server=tcp:${h},1433;Initial Catalog=app;User ID=${user()};Password=${p};Encrypt=True;"\n  }\n}\n`,
      3
    ],
    [
      'Web.config',
      `<connectionStrings>\n  <add name="Db" connectionString="Data Source=${h};Initial Catalog=app;User Id=${user()};Password=${p};" />\n</connectionStrings>\n`,
      2
    ],
    ['db.py', `import psycopg2\n\nconn = psycopg2.connect("host=${h} port=5432 dbname=app user=${user()} password=${p} sslmode=require")\n`, 3],
    ['application.properties', `spring.datasource.url=jdbc:sqlserver://${h}:1433;databaseName=app;user=${user()};password=${p};\n`, 1],
    ['db.go', `package db\n\nconst dsn = "mysql://${user()}:${enc(p)}@${h}:3306/app"\n`, 3],
    ['.env', `MONGODB_URI=mongodb+srv://${user()}:${enc(p)}@${h}/app?retryWrites=true\n`, 1],
    ['settings.yaml', `cache:\n  url: redis://default:${enc(p)}@${h}:6379/0\n`, 2],
    ['odbc.ini', `[app]\nDriver = ODBC Driver 18 for SQL Server\nConnectionString = Server=${h};Database=app;Uid=${user()};Pwd=${p};\n`, 3],
    ['Program.cs', `var cs = "Host=${h};Database=app;Username=${user()};Password=${p}";\n`, 1],
    ['config.php', `<?php\n$pdo = new PDO('pgsql:host=${h};dbname=app', '${user()}', '${p}');\n`, 2]
  ]
  const [name, text, line] = variants[i % variants.length]!
  positive('-', 'database connection string', syntaxOf(name), name, text, line)
}

// NuGet.config ClearTextPassword (https://learn.microsoft.com/en-us/nuget/reference/nuget-config-file#packagesourcecredentials)
for (let i = 0; i < 8; i++) {
  const p = pick([password, () => github('ghp_'), () => s(52, LOW + DIG)])()
  const variants: Array<[string, string, number]> = [
    [
      'NuGet.config',
      `<?xml version="1.0" encoding="utf-8"?>\n<configuration>\n  <packageSourceCredentials>\n    <internal>\n      <add key="Username" value="${user()}" />\n      <add key="ClearTextPassword" value="${p}" />\n    </internal>\n  </packageSourceCredentials>\n</configuration>\n`,
      6
    ],
    [
      'restore.sh',
      `#!/bin/sh\ndotnet nuget add source https://${host()}/nuget/v3/index.json -n internal -u ${user()} -p ${p} --store-password-in-clear-text\n`,
      2
    ]
  ]
  const [name, text, line] = variants[i % variants.length]!
  positive('-', 'NuGet ClearTextPassword', syntaxOf(name), name, text, line)
}

// ---------------------------------------------------------------------------------------------------------------
// Negatives: what a scanner must leave alone

const sha256 = (): string => s(64, HEX)
const sri = (): string => `sha512-${s(86, B64)}==`
for (let i = 0; i < 6; i++) {
  negative(
    'npm lock file',
    'package-lock.json',
    `{\n  "packages": {\n    "node_modules/${pick(WORDS)}": {\n      "version": "1.${int(9)}.0",\n      "resolved": "https://registry.npmjs.org/${pick(WORDS)}/-/x-1.0.0.tgz",\n      "integrity": "${sri()}"\n    }\n  }\n}\n`
  )
  negative(
    'yarn lock file',
    'yarn.lock',
    `${pick(WORDS)}@^1.0.0:\n  version "1.0.${int(9)}"\n  resolved "https://registry.yarnpkg.com/x/-/x-1.0.0.tgz#${s(40, HEX)}"\n  integrity ${sri()}\n`
  )
  negative(
    'go.sum',
    'go.sum',
    `github.com/${pick(WORDS)}/${pick(WORDS)} v1.${int(9)}.0 h1:${s(43, B64)}=\ngithub.com/${pick(WORDS)}/x v1.0.0/go.mod h1:${s(43, B64)}=\n`
  )
  negative(
    'Cargo.lock',
    'Cargo.lock',
    `[[package]]\nname = "${pick(WORDS)}"\nversion = "0.${int(9)}.1"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "${sha256()}"\n`
  )
  negative(
    'poetry.lock',
    'poetry.lock',
    `[[package]]\nname = "${pick(WORDS)}"\nfiles = [\n    {file = "x-1.0-py3-none-any.whl", hash = "sha256:${sha256()}"},\n]\n`
  )
  negative('composer.lock', 'composer.lock', `{\n  "dist": {\n    "type": "zip",\n    "reference": "${s(40, HEX)}",\n    "shasum": "${s(40, HEX)}"\n  }\n}\n`)
}
// Values under names that say they are not secrets, in several syntaxes
const NOT_SECRET: Array<[string, () => string]> = [
  ['PASSWORD_HASH', () => `$2b$12$${s(53, `${AN}./`)}`],
  ['password_digest', () => `pbkdf2_sha256$600000$${s(22)}$${s(43, B64)}=`],
  ['TOKEN_HASH', sha256],
  ['api_key_sha256', sha256],
  ['secret_checksum', () => s(40, HEX)],
  ['SESSION_TOKEN_ID', uuid],
  ['client_secret_id', uuid],
  ['API_KEY_ID', () => s(20)],
  ['access_token_uuid', uuid],
  ['token_nonce', () => s(32, B64)],
  ['nonce', () => s(24, URLSAFE)],
  ['public_key', () => `MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE${s(64, B64)}`],
  ['integrity', sri],
  ['secret_version', () => s(32, HEX)],
  ['token_sha', () => s(40, HEX)],
  ['SECRET_DIGEST', () => `sha256:${sha256()}`]
]
for (const [key, make] of NOT_SECRET) {
  for (const syntax of [SYNTAXES[0]!, SYNTAXES[9]!, SYNTAXES[10]!, SYNTAXES[11]!])
    negative(`not-secret name ${key}`, syntax.file, syntax.write(key, make()).text)
}
// HTML form fields and page metadata baked into static files
for (let i = 0; i < 4; i++) {
  negative(
    'HTML form fields',
    'login.html',
    `<form method="post" action="/session">\n  <input type="hidden" name="authenticity_token" value="${s(86, B64)}==">\n  <input type="hidden" name="__RequestVerificationToken" value="CfDJ8${s(150, URLSAFE)}" />\n  <input type="hidden" name="_token" value="${s(40)}">\n  <input type="hidden" name="form_build_id" value="form-${s(43, URLSAFE)}">\n  <input type="hidden" name="csrf_token" value="${sha256()}">\n  <input type="hidden" name="session_hash" value="${s(32, HEX)}">\n</form>\n<meta name="csrf-token" content="${s(64, B64)}">\n`
  )
}
// Ids, UUIDs, digests, images, public keys, certificates
negative(
  'UUIDs',
  'ids.json',
  `{\n  "tenant_id": "${uuid()}",\n  "client_id": "${uuid()}",\n  "subscription_id": "${uuid()}",\n  "request_id": "${uuid()}"\n}\n`
)
negative('image digests', 'images.yaml', `images:\n  - image: ghcr.io/acme/api@sha256:${sha256()}\n  - image: nginx@sha256:${sha256()}\n`)
negative('git SHAs', 'packed-refs', `# pack-refs with: peeled fully-peeled sorted\n${s(40, HEX)} refs/heads/main\n${s(40, HEX)} refs/tags/v1.0.0\n`)
negative(
  'SRI in HTML',
  'page.html',
  `<script src="https://cdn.jsdelivr.net/npm/x@1/dist/x.min.js" integrity="sha384-${s(64, B64)}" crossorigin="anonymous"></script>\n`
)
negative('base64 image', 'styles.css', `.logo {\n  background: url("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA${s(600, B64)}=");\n}\n`)
negative('base64 image in HTML', 'logo.html', `<img alt="logo" src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0i${s(300, B64)}">\n`)
negative(
  'ssh public keys',
  'authorized_keys',
  `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${s(43, B64)} ops@bastion\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ${s(340, B64)} ci@runner\n`
)
negative('certificate', 'ca.crt', `-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE${s(44, B64)}\n${s(64, B64)}\n${s(64, B64)}\n-----END CERTIFICATE-----\n`)
negative(
  'PGP public key',
  'key.asc',
  `-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBF${s(58, B64)}\n${s(64, B64)}\n=${s(4, B64)}\n-----END PGP PUBLIC KEY BLOCK-----\n`
)
negative('minified JS', 'vendor.min.js', `!function(){var e="${s(32)}",t={id:"${s(24)}",hash:"${sha256()}"};window.__x=[e,t]}();\n`)
negative('source map', 'app.js.map', `{"version":3,"sources":["app.ts"],"mappings":"${s(200, `${AN};,+/`)}"}\n`)
negative('Mapbox public token', 'map.js', `mapboxgl.accessToken = 'pk.${b64url(JSON.stringify({ u: pick(WORDS), a: s(25, LOW + DIG) }))}.${s(22, URLSAFE)}';\n`)
// Documented examples: values the providers publish in their documentation
negative(
  'AWS documented example',
  'credentials.example',
  `[default]\naws_access_key_id = ${['AKIAIOSFODNN7', 'EXAMPLE'].join('')}\naws_secret_access_key = ${['wJalrXUtnFEMI/K7MDENG/', 'bPxRfiCYEXAMPLEKEY'].join('')}\n`
)
negative(
  'Google Maps sample key',
  'map.html',
  `<script src="https://maps.googleapis.com/maps/api/js?key=${['AIzaSyB41DRUbKWJHPxa', 'FjMAwdrzWzbVKartNGg'].join('')}&callback=initMap&v=weekly" defer></script>\n`
)
negative(
  'jwt.io sample',
  'README.md',
  `Send it as a bearer token:\n\n    Authorization: Bearer ${['eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', 'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ', 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'].join('.')}\n`
)
// Placeholders in the new shapes
negative(
  'curl placeholders',
  'call.sh',
  `#!/bin/sh\ncurl -u "$API_USER:$API_PASSWORD" https://api.acme-corp.io/\ncurl -H "Authorization: Bearer \${TOKEN}" https://api.acme-corp.io/\ncurl -H 'Authorization: Basic <base64-credentials>' https://api.acme-corp.io/\nsort -u names.txt | uniq\ndocker run -u 1000:1000 app\nuseradd -u 1001 app\n`
)
negative(
  'Kubernetes Secret placeholders',
  'secret.yaml',
  `apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ndata:\n  username: ${b64('admin')}\n  password: {{ .Values.password | b64enc }}\n  host: ${b64('db.internal')}\n  ca.crt: ${b64('-----BEGIN CERTIFICATE-----\nMIIB')}\ntype: Opaque\n`
)
negative('Bundler placeholders', '.env', `BUNDLE_GEMS__CONTRIBSYS__COM=\${SIDEKIQ_CREDENTIALS}\nBUNDLE_PATH=vendor/bundle\nBUNDLE_WITHOUT=development:test\n`)
negative(
  'connection string placeholders',
  'appsettings.json',
  `{\n  "ConnectionStrings": {\n    "A": "Server=db;Database=app;Integrated Security=SSPI;",\n    "B": "Server=db;Database=app;User Id=sa;Password=\${DB_PASSWORD};",\n    "C": "Host=localhost;Database=app;Username=postgres;Password=postgres"\n  }\n}\n`
)
negative(
  'NuGet placeholders',
  'NuGet.config',
  `<configuration>\n  <packageSourceCredentials>\n    <github>\n      <add key="Username" value="ci" />\n      <add key="ClearTextPassword" value="%GITHUB_PACKAGES_TOKEN%" />\n    </github>\n  </packageSourceCredentials>\n</configuration>\n`
)
negative('URL placeholders', 'docs.md', `Clone with https://USERNAME:TOKEN@git.acme-corp.io/repo.git or https://user:\${PASSWORD}@mirror.internal/\n`)
writeFileSync(join(root, 'Dockerfile'), 'FROM python:3.12-slim\n')

// ---------------------------------------------------------------------------------------------------------------
// Scan and report

const { seconds, byFile } = await scanCorpus(root)

const perProvider = new Map<string, Tally>()
const perKind = new Map<string, Tally>()
const perSyntax = new Map<string, Tally>()
const all: Tally = { found: 0, named: 0, total: 0 }
const misses: string[] = []
for (const sample of samples) {
  const hits = (byFile.get(sample.file) ?? []).filter(h => h.line === sample.line)
  const found = hits.length > 0
  const named = hits.some(h => sample.rules.includes(h.rule))
  if (sample.provider !== '-') tally(perProvider, sample.provider, found, named)
  tally(perKind, sample.kind, found, named)
  tally(perSyntax, sample.syntax, found, named)
  all.total++
  if (found) all.found++
  if (found && !named && sample.rules.length > 0)
    misses.push(`  UNNAMED ${sample.provider} in ${sample.syntax} (${sample.file}): ${hits.map(h => h.rule).join(', ')}`)
  if (!found) misses.push(`  MISS ${sample.provider === '-' ? '' : `${sample.provider} `}${sample.kind} in ${sample.syntax} (${sample.file}:${sample.line})`)
}
const falseFindings = negatives.flatMap(({ file, what }) => (byFile.get(file) ?? []).map(h => `  FALSE ${what}: ${file}:${h.line} ${h.rule}`))

const table = (title: string, map: Map<string, Tally>, showNamed: boolean): void => {
  console.log(`\n${title}`)
  const width = Math.max(...[...map.keys()].map(k => k.length))
  for (const [key, t] of [...map].sort((a, b) => a[0].localeCompare(b[0]))) {
    const named = showNamed ? `  named ${pct(t.named, t.total).padStart(6)}` : ''
    console.log(`  ${key.padEnd(width)}  recall ${pct(t.found, t.total).padStart(6)}${named}  (${t.found}/${t.total})`)
  }
}

console.log(
  `eval:holdout seed ${seed}: ${samples.length} positives (${perProvider.size} providers, ${perKind.size} kinds, ${perSyntax.size} syntaxes), ${negatives.length} negative files; scanned in ${seconds.toFixed(2)} s`
)
table('Recall per provider (named: found under the provider-specific rule)', perProvider, true)
table('Recall per kind', perKind, false)
table('Recall per syntax', perSyntax, false)
console.log(`\nOverall recall ${pct(all.found, all.total)} (${all.found}/${all.total}); target >= ${pct(target, 1)}`)
console.log(`False findings on ${negatives.length} negative files: ${falseFindings.length}; target <= ${maxFalse}`)
for (const line of [...falseFindings.slice(0, 40), ...misses.slice(0, 60)]) console.log(line)
if (option('--dir') === undefined) rmSync(root, { recursive: true, force: true })
const ok = all.found / Math.max(1, all.total) >= target && falseFindings.length <= maxFalse
console.log(ok ? 'PASS' : 'FAIL')
process.exitCode = ok ? 0 : 1
