// Credentials in HTTP requests written into scripts and code: `curl -u user:password` / `--user`, and
// `Authorization: Basic <base64 of user:password>` / `Authorization: Bearer <token>` headers in any syntax
// (curl -H, requests, axios, Go, Java, C#, nginx, .http files). https://www.rfc-editor.org/rfc/rfc7617 (Basic),
// https://www.rfc-editor.org/rfc/rfc6750 (Bearer), https://curl.se/docs/manpage.html#-u
import { classSwitchRate, isPlaceholder, looksRandomSecret, shannonEntropy } from '../values.js'
import { isRealPassword } from './urls.js'
import { BASE64, TOKEN, WORD, draw, type Family, type Handler, type Rand } from './types.js'

const USERPASS = /(["']?)([^\s:"'$]{1,64}):([^\s"']{1,256})/y
const BASIC = /[A-Za-z0-9+/]{8,684}={0,2}/y
const BEARER = /[A-Za-z0-9._~+/-]{16,1024}={0,2}/y

/** The command the `-u` belongs to is curl: on this line or on lines continued into it with `\`. */
function isCurl(buf: Buffer, pos: number): boolean {
  const lines = buf.toString('latin1', Math.max(0, pos - 1024), pos).split('\n')
  let i = lines.length - 1
  let text = lines[i] ?? ''
  while (i > 0 && /\\\r?$/.test(lines[i - 1] ?? '')) text = `${lines[--i] ?? ''} ${text}`
  return /(?:^|[\s;&|(`"'])curl(?:\.exe)?\s/.test(text)
}

const curlUserHandler =
  (anchorLength: number): Handler =>
  (ctx, pos) => {
    const { buf, end } = ctx
    if (!isCurl(buf, pos)) return
    let at = pos + anchorLength
    while (at < end && (buf[at] === 32 || buf[at] === 9)) at++
    const text = buf.toString('latin1', at, Math.min(end, at + 330))
    USERPASS.lastIndex = 0
    const m = USERPASS.exec(text)
    if (m === null) return
    const [, quote = '', user = '', password = ''] = m
    if (!isRealPassword(password, user)) return
    const start = at + quote.length + user.length + 1
    ctx.emit('curl-user-password', start, start + password.length, password)
  }

const basicHandler: Handler = (ctx, pos) => {
  const { buf, end } = ctx
  if (pos > 0 && WORD[buf[pos - 1]!] === 1) return
  const at = pos + 6
  const text = buf.toString('latin1', at, Math.min(end, at + 690))
  BASIC.lastIndex = 0
  const m = BASIC.exec(text)
  if (m === null) return
  const stop = at + m[0].length
  if (stop < end && BASE64[buf[stop]!] === 1) return
  const decoded = Buffer.from(m[0], 'base64').toString('latin1')
  const colon = decoded.indexOf(':')
  if (colon <= 0 || !/^[\x20-\x7e]+$/.test(decoded)) return
  if (!isRealPassword(decoded.slice(colon + 1), decoded.slice(0, colon))) return
  ctx.emit('http-basic-auth', at, stop, m[0])
}

const bearerHandler: Handler = (ctx, pos) => {
  const { buf, end } = ctx
  if (pos > 0 && WORD[buf[pos - 1]!] === 1) return
  const at = pos + 7
  const text = buf.toString('latin1', at, Math.min(end, at + 1030))
  BEARER.lastIndex = 0
  const m = BEARER.exec(text)
  if (m === null) return
  const stop = at + m[0].length
  if (stop < end && TOKEN[buf[stop]!] === 1) return
  // JWTs are judged (and named) by the JWT rule; here the opaque tokens.
  if (m[0].startsWith('eyJ') || !isOpaqueToken(m[0])) return
  ctx.emit('http-bearer-token', at, stop, m[0])
}

/** After `Bearer ` a dotted value is a token, not a property path: random by entropy and character classes. */
function isOpaqueToken(value: string): boolean {
  if (looksRandomSecret(value)) return true
  return (
    value.length >= 24 && /[0-9]/.test(value) && /[A-Za-z]/.test(value) && shannonEntropy(value) >= 4 && classSwitchRate(value) >= 0.3 && !isPlaceholder(value)
  )
}

const pass = (r: Rand): string => `${draw(r, 6)}-${draw(r, 8)}`

export const httpAuth: Family = {
  name: 'HTTP authentication',
  source: 'https://www.rfc-editor.org/rfc/rfc7617',
  rules: [
    { id: 'curl-user-password', description: 'Password in a curl -u / --user option', rank: 3 },
    { id: 'http-basic-auth', description: 'HTTP Basic Authorization header with a password', rank: 3 },
    { id: 'http-bearer-token', description: 'HTTP Bearer Authorization header with a token', rank: 3 }
  ],
  anchors: [
    { text: '-u ', before: ' \t', handler: curlUserHandler(3), patterns: [USERPASS] },
    { text: '--user ', handler: curlUserHandler(7), patterns: [USERPASS] },
    { text: '--user=', handler: curlUserHandler(7), patterns: [USERPASS] },
    { text: 'basic ', caseInsensitive: true, handler: basicHandler, patterns: [BASIC] },
    { text: 'bearer ', caseInsensitive: true, handler: bearerHandler, patterns: [BEARER] }
  ],
  cases: [
    {
      rule: 'curl-user-password',
      file: 'backup.sh',
      make: pass,
      content: v => `curl -fsS \\\n  -u backup:${v} \\\n  https://dav.internal/backup.tar`,
      line: 2,
      negatives: [
        'curl -u "$DAV_USER:$DAV_PASSWORD" https://dav.internal/',
        'docker run -u 1000:1000 app',
        'sort -u names.txt',
        'curl -u user:password https://x.internal'
      ]
    },
    {
      rule: 'http-basic-auth',
      file: 'nginx.conf',
      make: r => Buffer.from(`svc:${pass(r)}`).toString('base64'),
      content: v => `proxy_set_header Authorization "Basic ${v}";`,
      negatives: [`proxy_set_header Authorization "Basic ${Buffer.from('user:password').toString('base64')}";`, 'Basic authentication is supported.']
    },
    {
      rule: 'http-bearer-token',
      file: 'call.sh',
      make: r => draw(r, 40),
      content: v => `curl -H "Authorization: Bearer ${v}" https://api.internal/v1/items`,
      negatives: ['curl -H "Authorization: Bearer ${TOKEN}" https://api.internal/', 'Authorization: Bearer <token>']
    }
  ]
}
