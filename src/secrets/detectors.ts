// The rules that run at anchors found by the prefilter. Every check reads a bounded window around its anchor
// (at most LOOKBACK bytes before and LOOKAHEAD after), and every RegExp starts with a literal and uses only
// bounded repetition, so the work per anchor is bounded and the whole scan stays linear in the input.

import type { AnchorSpec } from './prefilter.js'
import type { RuleId } from './rules.js'
import { hasValidBase62Checksum } from './checksum.js'
import { isPlaceholder, isUuid, looksRandomSecret, shannonEntropy } from './values.js'

export const LOOKBACK = 4096
export const LOOKAHEAD = 32768
/** Keyword rules (secret-named keys) skip lines longer than this: minified code, not configuration. */
const LONG_LINE = 1024

export interface DetectContext {
  buf: Buffer
  /** Valid bytes are buf[0..end). */
  end: number
  /** Generic key = value findings need a quoted literal (source code, where a bare word is an expression). */
  codeFile: boolean
  /** A .env file: secret-named keys with any literal value are findings. */
  dotenv: boolean
  /** Start of the last key looked at, so that `secret_token` is judged once, not once per keyword. */
  lastKeyStart: number
  emit(rule: RuleId, start: number, end: number, value: string): void
}

type Handler = (ctx: DetectContext, pos: number) => void

function byteSet(chars: string): Uint8Array {
  const t = new Uint8Array(256)
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1
  return t
}
const DIGITS = '0123456789'
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
const LOWER = 'abcdefghijklmnopqrstuvwxyz'
const ALNUM = byteSet(DIGITS + UPPER + LOWER)
const WORD = byteSet(DIGITS + UPPER + LOWER + '_')
const TOKEN = byteSet(DIGITS + UPPER + LOWER + '_-')
const KEYCHAR = byteSet(DIGITS + UPPER + LOWER + '_.-')
const SCHEME = DIGITS + UPPER + LOWER + '+.-'
const SCHEME_SET = byteSet(SCHEME)
const BARE_STOP = byteSet(' \t\r\n,;\'"`)}]<>#')
/** Bytes that may precede a token: anything but token characters. */
const NOT_TOKEN = (() => {
  let s = ''
  for (let b = 0; b < 256; b++) if (TOKEN[b] === 0) s += String.fromCharCode(b)
  return s
})()

// ---------------------------------------------------------------------------------------------------------------
// Known token formats

interface TokenSpec {
  anchors: string[]
  before?: string
  re: RegExp // sticky, applied at the anchor
  maxLength: number
  rule: RuleId | ((match: string) => RuleId)
  lead: Uint8Array // bytes that must not precede the token
  tail: Uint8Array // bytes that must not follow it
  /** Which capture group holds the secret (0 = whole match). */
  group?: number
  validate?: (value: string) => boolean
}

const randomBody = (prefixLength: number) => (token: string) => !isPlaceholder(token.slice(prefixLength), true)

const TOKEN_SPECS: TokenSpec[] = [
  {
    anchors: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    re: /gh[pousr]_[A-Za-z0-9]{36}/y,
    maxLength: 40,
    rule: (t) =>
      t.startsWith('ghp_')
        ? 'github-classic-token'
        : t.startsWith('gho_')
          ? 'github-oauth-token'
          : t.startsWith('ghr_')
            ? 'github-refresh-token'
            : 'github-app-token',
    lead: WORD,
    tail: WORD,
    validate: hasValidBase62Checksum
  },
  {
    anchors: ['github_pat_'],
    re: /github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}/y,
    maxLength: 93,
    rule: 'github-fine-grained-token',
    lead: WORD,
    tail: WORD,
    validate: randomBody(11)
  },
  {
    anchors: ['npm_'],
    re: /npm_[A-Za-z0-9]{36}/y,
    maxLength: 40,
    rule: 'npm-access-token',
    lead: WORD,
    tail: WORD,
    validate: hasValidBase62Checksum
  },
  {
    anchors: ['AKIA', 'ASIA', 'ABIA', 'ACCA'],
    re: /(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}/y,
    maxLength: 20,
    rule: 'aws-access-key-id',
    lead: ALNUM,
    tail: ALNUM,
    validate: (t) => !t.includes('EXAMPLE') && randomBody(4)(t)
  },
  {
    anchors: ['xoxb', 'xoxp', 'xoxa', 'xoxe', 'xoxo', 'xoxr', 'xoxs', 'xapp'],
    re: /xox[bp]-[0-9]{8,14}-[0-9]{8,14}-[0-9A-Za-z-]{20,120}|xox[aeors]-[0-9]{1,2}-[0-9A-Za-z-]{20,250}|xoxe\.xox[bp]-[0-9]-[0-9A-Za-z]{20,250}|xapp-[0-9]-[A-Z0-9]{9,12}-[0-9]{8,14}-[a-f0-9]{40,80}/y,
    maxLength: 260,
    rule: 'slack-token',
    lead: WORD,
    tail: TOKEN,
    validate: (t) => !isPlaceholder(t.slice(5), true) && shannonEntropy(t) > 3.5
  },
  {
    anchors: ['hooks.slack.com/'],
    re: /hooks\.slack\.com\/(?:services|workflows|triggers)\/T[A-Z0-9]{8,12}\/[AB][A-Z0-9]{8,12}\/[A-Za-z0-9]{20,40}/y,
    maxLength: 120,
    rule: 'slack-webhook-url',
    lead: byteSet(''),
    tail: ALNUM,
    validate: (t) => !isPlaceholder(t.slice(t.lastIndexOf('/') + 1), true)
  },
  {
    anchors: ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'],
    re: /[sr]k_(?:live|test)_[A-Za-z0-9]{24,247}/y,
    maxLength: 255,
    rule: 'stripe-secret-key',
    lead: WORD,
    tail: WORD,
    validate: randomBody(8)
  },
  {
    anchors: ['AIza'],
    re: /AIza[0-9A-Za-z_-]{35}/y,
    maxLength: 39,
    rule: 'google-api-key',
    lead: TOKEN,
    tail: TOKEN,
    validate: randomBody(4)
  },
  {
    anchors: ['pypi-AgEIcHlwaS5vcmc'],
    re: /pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,400}/y,
    maxLength: 420,
    rule: 'pypi-token',
    lead: WORD,
    tail: TOKEN,
    validate: randomBody(20)
  },
  {
    anchors: ['glpat-'],
    re: /glpat-[A-Za-z0-9_.-]{20,300}/y,
    maxLength: 306,
    rule: 'gitlab-token',
    lead: WORD,
    tail: TOKEN,
    validate: (t) => !t.endsWith('.') && randomBody(6)(t) && shannonEntropy(t.slice(6)) > 3.2
  },
  {
    anchors: ['sk-ant-'],
    re: /sk-ant-(?:api03|admin01)-[A-Za-z0-9_-]{80,120}AA/y,
    maxLength: 140,
    rule: 'anthropic-api-key',
    lead: WORD,
    tail: TOKEN,
    validate: randomBody(14)
  },
  {
    anchors: ['hf_'],
    before: NOT_TOKEN,
    re: /hf_[A-Za-z]{34}/y,
    maxLength: 37,
    rule: 'huggingface-token',
    lead: TOKEN,
    tail: ALNUM,
    validate: (t) => randomBody(3)(t) && shannonEntropy(t.slice(3)) > 3.8
  },
  {
    anchors: ['SG.'],
    before: NOT_TOKEN,
    re: /SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}/y,
    maxLength: 69,
    rule: 'sendgrid-api-key',
    lead: TOKEN,
    tail: TOKEN,
    validate: randomBody(3)
  },
  {
    anchors: ['dckr_pat_', 'dckr_oat_'],
    re: /dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,40}/y,
    maxLength: 49,
    rule: 'dockerhub-token',
    lead: WORD,
    tail: TOKEN,
    validate: randomBody(9)
  },
  {
    anchors: ['glsa_'],
    re: /glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}/y,
    maxLength: 46,
    rule: 'grafana-service-account-token',
    lead: WORD,
    tail: WORD,
    validate: randomBody(5)
  },
  {
    anchors: ['glc_eyJ'],
    re: /glc_eyJ[A-Za-z0-9+/]{29,400}={0,2}/y,
    maxLength: 410,
    rule: 'grafana-cloud-token',
    lead: WORD,
    tail: byteSet(DIGITS + UPPER + LOWER + '+/='),
    validate: randomBody(4)
  },
  {
    anchors: ['v1.0-'],
    re: /v1\.0-[a-f0-9]{24}-[a-f0-9]{146}/y,
    maxLength: 176,
    rule: 'cloudflare-origin-ca-key',
    lead: WORD,
    tail: ALNUM,
    validate: randomBody(5)
  },
  {
    anchors: ['AccountKey='],
    re: /AccountKey=([A-Za-z0-9+/]{86}==)/iy,
    maxLength: 99,
    rule: 'azure-storage-account-key',
    lead: ALNUM,
    tail: byteSet(DIGITS + UPPER + LOWER + '+/='),
    group: 1,
    validate: (k) => !isPlaceholder(k, true) && shannonEntropy(k) > 4.5
  },
  {
    anchors: ['client-key-data'],
    re: /client-key-data"?[ \t]{0,8}:[ \t]{0,8}"?(LS0tLS1CRUdJTi[A-Za-z0-9+/]{40,20000}={0,2})/y,
    maxLength: 20060,
    rule: 'kubeconfig-client-key',
    lead: WORD,
    tail: byteSet(DIGITS + UPPER + LOWER + '+/='),
    group: 1,
    validate: (k) => shannonEntropy(k) > 4.5
  }
]

function tokenHandler(spec: TokenSpec): Handler {
  return (ctx, pos) => {
    const { buf, end } = ctx
    if (pos > 0 && spec.lead[buf[pos - 1]!] === 1) return
    const text = buf.toString('latin1', pos, Math.min(end, pos + spec.maxLength + 1))
    spec.re.lastIndex = 0
    const m = spec.re.exec(text)
    if (m === null) return
    const length = m[0].length
    if (pos + length < end && spec.tail[buf[pos + length]!] === 1) return
    const value = m[spec.group ?? 0] ?? m[0]
    if (spec.validate !== undefined && !spec.validate(value)) return
    const rule = typeof spec.rule === 'function' ? spec.rule(m[0]) : spec.rule
    ctx.emit(rule, pos + length - value.length, pos + length, value)
  }
}

/** OpenAI keys all carry `T3BlbkFJ` (base64 of "OpenAI") inside `sk-…`; anchor there and look both ways. */
const openAiHandler: Handler = (ctx, pos) => {
  const { buf, end } = ctx
  let start = pos
  const minStart = Math.max(0, pos - 200)
  while (start > minStart && TOKEN[buf[start - 1]!] === 1) start--
  let stop = pos + 8
  const maxStop = Math.min(end, pos + 208)
  while (stop < maxStop && TOKEN[buf[stop]!] === 1) stop++
  if (stop - pos - 8 < 20 || pos - start < 23) return
  const value = buf.toString('latin1', start, stop)
  if (!value.startsWith('sk-') || value.startsWith('sk-ant-')) return
  if (isPlaceholder(value.slice(3), true)) return
  ctx.emit('openai-api-key', start, stop, value)
}

// ---------------------------------------------------------------------------------------------------------------
// Private keys

const PEM_HEADER = /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP |SSH2 ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----/y

const PEM_DASHES = Buffer.from('-----')
const PEM_END = Buffer.from('-----END ')

const pemHandler: Handler = (ctx, pos) => {
  const { buf, end } = ctx
  const start = pos - 5
  if (start < 0 || buf.toString('latin1', start, pos) !== '-----') return
  const text = buf.toString('latin1', start, Math.min(end, start + 80))
  PEM_HEADER.lastIndex = 0
  const header = PEM_HEADER.exec(text)
  if (header === null) return
  const bodyStart = start + header[0].length
  // The body runs to the next `-----`, which must be the END line: work is bounded by the body, and headers
  // back to back cost nothing.
  const next = buf.subarray(bodyStart, Math.min(end, start + LOOKAHEAD)).indexOf(PEM_DASHES)
  if (next < 0 || buf.compare(PEM_END, 0, PEM_END.length, bodyStart + next, bodyStart + next + PEM_END.length) !== 0) return
  const rawBody = buf.toString('latin1', bodyStart, bodyStart + next)
  const escaped = rawBody.includes('\\n')
  const body = keyBody(rawBody)
  if (body === undefined) return
  let rule: RuleId = 'private-key'
  if (escaped) {
    const lineStart = Math.max(0, lastIndexOfByte(buf, 10, start - 1, Math.max(0, start - LOOKBACK)) + 1)
    if (buf.toString('latin1', lineStart, start).includes('private_key')) rule = 'gcp-service-account-key'
  }
  ctx.emit(rule, start, bodyStart + next, body)
}

/** The base64 of a PEM body without headers (`Proc-Type:`), line breaks or JSON `\n` escapes; undefined if not key material. */
function keyBody(raw: string): string | undefined {
  const lines = raw.replace(/\\r/g, '').replace(/\\n/g, '\n').split('\n')
  let body = ''
  for (const line of lines) {
    if (line.includes(':')) continue
    body += line.replace(/[\s"',+]/g, '')
  }
  if (body.length < 64 || !/^[A-Za-z0-9+/]{64,20000}={0,2}(?:=[A-Za-z0-9+/]{4})?$/.test(body)) return undefined
  if (shannonEntropy(body) < 4.5) return undefined
  return body
}

const puttyHandler: Handler = (ctx, pos) => {
  const { buf, end } = ctx
  const text = buf.toString('latin1', pos, Math.min(end, pos + LOOKAHEAD))
  if (!/^PuTTY-User-Key-File-[23]: /.test(text)) return
  const at = text.indexOf('Private-Lines: ')
  if (at < 0) return
  const count = /^Private-Lines: ([0-9]{1,3})\r?\n/.exec(text.slice(at, at + 24))
  if (count === null) return
  const lines = text
    .slice(at)
    .split('\n')
    .slice(1, 1 + Number(count[1]))
  const body = lines.map((l) => l.trim()).join('')
  if (body.length < 40 || !/^[A-Za-z0-9+/]{40,20000}={0,2}$/.test(body) || shannonEntropy(body) < 4.2) return
  ctx.emit('putty-private-key', pos, pos + at, body)
}

// ---------------------------------------------------------------------------------------------------------------
// URLs with a password: scheme://user:password@host

const USERINFO = /([^\s:/@'"`<>(){}[\]\\]{0,128}):([^\s/@'"`<>(){}[\]\\]{1,256})@([A-Za-z0-9][A-Za-z0-9.-]{0,252}|\[[0-9A-Fa-f:.]{2,64}\])/y
const DUMMY_PASSWORDS = new Set([
  'pass',
  'pw',
  'pwd',
  'root',
  'admin',
  'guest',
  'user',
  'test',
  'demo',
  'foo',
  'bar',
  'baz',
  'qux',
  'postgres',
  'mysql',
  'redis',
  'rabbitmq',
  'mongo',
  'mongodb',
  'changeit',
  'letmein',
  'hunter2',
  'pa55word',
  'p4ssw0rd',
  'p@ssw0rd',
  'pass123',
  'password1',
  'pword',
  'x',
  'xx',
  'xyz',
  'abc',
  'anonymous'
])
const PLACEHOLDER_HOST = /(?:^|\.)(?:example|invalid|test|host|hostname|domain|server)(?:\.|$)/i

const urlHandler: Handler = (ctx, pos) => {
  const { buf, end } = ctx
  let s = pos
  const minS = Math.max(0, pos - 32)
  while (s > minS && SCHEME_SET[buf[s - 1]!] === 1) s--
  const scheme = buf.toString('latin1', s, pos)
  if (!/^[A-Za-z][A-Za-z0-9+.-]{1,31}$/.test(scheme)) return
  const at = pos + 3
  const text = buf.toString('latin1', at, Math.min(end, at + 700))
  USERINFO.lastIndex = 0
  const m = USERINFO.exec(text)
  if (m === null) return
  const user = m[1] ?? ''
  const password = m[2] ?? ''
  const host = m[3] ?? ''
  if (!isRealPassword(password, user) || PLACEHOLDER_HOST.test(host)) return
  const valueStart = at + user.length + 1
  ctx.emit('url-credentials', valueStart, valueStart + password.length, password)
}

export function isRealPassword(password: string, user: string): boolean {
  let decoded = password
  try {
    decoded = decodeURIComponent(password)
  } catch {
    // keep it as written
  }
  if (decoded.length < 4 || decoded === user || /^[0-9]{1,6}$/.test(decoded)) return false
  if (DUMMY_PASSWORDS.has(decoded.toLowerCase())) return false
  if (isPlaceholder(decoded) || (user !== '' && isPlaceholder(user, true))) return false
  if (/^[A-Za-z_][A-Za-z0-9_]{0,40}$/.test(decoded) && /(?:pass|pwd|secret|token|key)/i.test(decoded)) return false
  return true
}

// ---------------------------------------------------------------------------------------------------------------
// Secret-named keys: `key = value`, `key: value`, `"key": "value"`, `KEY=value`

const SECRET_KEY = /(?:password|passwd|passphrase|secret|secretkey|token|apikey|apisecret|accesskey|privatekey|authkey|credential|credentials)$/
const NOT_SECRET_KEY = /(?:public|example|sample|dummy|fake|mock|(?:page|next|continuation|cancel|cancellation|csrf|xsrf|sync|resume|last|first|prev|previous|start|end|refresh)token$)/
const CONNECTION_KEYS = /(?:^|[;"'\s])(?:server|data source|host|user id|uid|database|initial catalog|address)[ \t]{0,4}=/i

function keywordHandler(anchorLength: number): Handler {
  return (ctx, pos) => {
    const { buf, end } = ctx
    let ks = pos
    const minKs = Math.max(0, pos - 64)
    while (ks > minKs && KEYCHAR[buf[ks - 1]!] === 1) ks--
    if (ks === minKs && ks > 0 && KEYCHAR[buf[ks - 1]!] === 1) return
    if (ks === ctx.lastKeyStart) return
    let ke = pos + anchorLength
    const maxKe = Math.min(end, pos + 128)
    while (ke < maxKe && KEYCHAR[buf[ke]!] === 1) ke++
    if (ke >= maxKe) return
    ctx.lastKeyStart = ks
    let i = ke
    const open = ks > 0 ? buf[ks - 1]! : 10
    if (open === 34 || open === 39 || open === 96) {
      if (buf[i] !== open) return
      i++
    }
    if (buf[i] === 93) i++ // env["KEY"] = …
    i = skipBlanks(buf, i, end)
    const op = buf[i]
    if (op === 61) {
      if (buf[i + 1] === 61) return
      i += buf[i + 1] === 62 ? 2 : 1
    } else if (op === 58) {
      if (buf[i + 1] === 58) return
      i += buf[i + 1] === 61 ? 2 : 1
    } else if (op === 63 && buf[i + 1] === 61) {
      i += 2
    } else {
      return
    }
    i = skipBlanks(buf, i, end)
    const q = buf[i]
    let vs: number
    let ve: number
    const quoted = q === 34 || q === 39 || q === 96
    if (quoted) {
      vs = i + 1
      ve = vs
      const lim = Math.min(end, vs + 512)
      while (ve < lim && buf[ve] !== q && buf[ve] !== 10) ve += buf[ve] === 92 ? 2 : 1
      if (buf[ve] !== q) return
    } else {
      vs = i
      ve = vs
      const lim = Math.min(end, vs + 512)
      while (ve < lim && BARE_STOP[buf[ve]!] !== 1) ve++
    }
    if (ve - vs < 4) return
    // Minified code and data blobs have long lines; configuration does not. (Bounded native searches: a long
    // line full of keywords must not cost a kilobyte of JavaScript per keyword.)
    const before = buf.subarray(Math.max(0, ks - LONG_LINE), ks).lastIndexOf(10)
    if (before < 0 && ks > LONG_LINE) return
    const lineStart = before < 0 ? -1 : Math.max(0, ks - LONG_LINE) + before
    const after = buf.subarray(ve, Math.min(end, ve + LONG_LINE)).indexOf(10)
    if (after < 0 && ve + LONG_LINE < end) return
    const lineEnd = after < 0 ? -1 : ve + after

    const keyText = buf.toString('latin1', ks, ke)
    const key = keyText
      .slice(keyText.lastIndexOf('.') + 1)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')
    let value = buf.toString('latin1', vs, ve)

    if ((key === 'password' || key === 'pwd') && op === 61 && !quoted) {
      const prev = ks > 0 ? buf[ks - 1]! : 10
      const line = buf.toString('latin1', Math.max(0, lineStart + 1), lineEnd < 0 ? end : lineEnd)
      if ((prev === 38 || prev === 63) && /(?:\w:\/\/|jdbc:)/.test(line)) {
        if (isRealPassword(value, '')) ctx.emit('connection-string-password', vs, ve, value)
        return
      }
      if (line.includes(';') && CONNECTION_KEYS.test(line)) {
        if (isRealPassword(value, '')) ctx.emit('connection-string-password', vs, ve, value)
        return
      }
    }
    if (key.includes('twilio')) {
      if (/^SK[0-9a-fA-F]{32}$/.test(value) && !isPlaceholder(value.slice(2), true)) {
        ctx.emit('twilio-api-key', vs, ve, value)
        return
      }
      if (/^[0-9a-f]{32}$/.test(value) && /(?:token|secret)$/.test(key) && shannonEntropy(value) > 3.2) {
        ctx.emit('twilio-auth-token', vs, ve, value)
        return
      }
    }
    if (key.includes('cloudflare') || key.startsWith('cfapi') || key.startsWith('cfauth')) {
      if (/^[A-Za-z0-9_-]{40}$/.test(value) && looksRandomSecret(value)) {
        ctx.emit('cloudflare-api-token', vs, ve, value)
        return
      }
      if (/^[0-9a-f]{37}$/.test(value) && shannonEntropy(value) > 3.2) {
        ctx.emit('cloudflare-global-api-key', vs, ve, value)
        return
      }
    }
    if (!SECRET_KEY.test(key) || NOT_SECRET_KEY.test(key)) return
    if (key.endsWith('secretaccesskey')) {
      if (/^[A-Za-z0-9/+]{40}$/.test(value) && !isPlaceholder(value) && shannonEntropy(value) > 3.5) {
        ctx.emit('aws-secret-access-key', vs, ve, value)
      }
      return
    }
    if (key === 'awssessiontoken' || key === 'awssecuritytoken') {
      if (value.length >= 100 && /^[A-Za-z0-9/+=]{100,4000}$/.test(value)) ctx.emit('aws-session-token', vs, ve, value)
      return
    }
    if (ctx.dotenv) {
      if (value.length >= 8 && !isPlaceholder(value) && !isUuidOrNumber(value)) {
        ctx.emit('dotenv-secret', vs, ve, value)
      }
      return
    }
    if (ctx.codeFile && !quoted) return
    // `Authorization`-style values: judge the credential, not the scheme word.
    const scheme = /^(?:bearer|basic|token) /i.exec(value)
    if (scheme !== null) {
      vs += scheme[0].length
      value = value.slice(scheme[0].length)
    }
    if (looksRandomSecret(value)) ctx.emit('generic-secret', vs, ve, value)
  }
}

function isUuidOrNumber(value: string): boolean {
  return isUuid(value) || /^[0-9.]{1,20}$/.test(value) || /^(?:true|false|yes|no|on|off)$/i.test(value)
}

function skipBlanks(buf: Buffer, from: number, end: number): number {
  let i = from
  const lim = Math.min(end, from + 16)
  while (i < lim && (buf[i] === 32 || buf[i] === 9)) i++
  return i
}

/** Index of the last `byte` in buf[min..from], or -1. */
export function lastIndexOfByte(buf: Buffer, byte: number, from: number, min: number): number {
  for (let i = from; i >= min; i--) if (buf[i] === byte) return i
  return -1
}

// ---------------------------------------------------------------------------------------------------------------
// The anchor table

const KEYWORDS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'api_key',
  'apikey',
  'api-key',
  'access_key',
  'accesskey',
  'private_key',
  'privatekey',
  'credential',
  'pwd=',
  'twilio',
  'cloudflare'
]

function buildAnchors(): { anchors: AnchorSpec[]; handlers: Handler[] } {
  const anchors: AnchorSpec[] = []
  const handlers: Handler[] = []
  const add = (spec: Omit<AnchorSpec, 'id'>, handler: Handler): void => {
    anchors.push({ ...spec, id: handlers.length })
    handlers.push(handler)
  }
  for (const spec of TOKEN_SPECS) {
    const handler = tokenHandler(spec)
    for (const text of spec.anchors) {
      add({ text, before: spec.before, caseInsensitive: text === 'AccountKey=' }, handler)
    }
  }
  add({ text: 'T3BlbkFJ' }, openAiHandler)
  add({ text: 'BEGIN ' }, pemHandler)
  add({ text: 'PuTTY-User-Key-File-' }, puttyHandler)
  add({ text: '://', before: SCHEME }, urlHandler)
  for (const word of KEYWORDS) {
    const text = word.endsWith('=') ? word.slice(0, -1) : word
    add({ text: word, caseInsensitive: true }, keywordHandler(text.length))
  }
  return { anchors, handlers }
}

export const { anchors: ANCHORS, handlers: HANDLERS } = buildAnchors()

/** Every RegExp a rule applies to scanned text, for the linear-time check in the tests. */
export const RULE_PATTERNS: readonly RegExp[] = [...TOKEN_SPECS.map((s) => s.re), PEM_HEADER, USERINFO]
