// Credentials in HTTP requests written into scripts and code: `curl -u user:password` / `--user`, and
// `Authorization: Basic <base64 of user:password>` / `Authorization: Bearer <token>` headers in any syntax
// (curl -H, requests, axios, Go, Java, C#, nginx, .http files). https://www.rfc-editor.org/rfc/rfc7617 (Basic),
// https://www.rfc-editor.org/rfc/rfc6750 (Bearer), https://curl.se/docs/manpage.html#-u
import { classSwitchRate, isPlaceholder, looksRandomSecret, shannonEntropy } from '../values.js'
import { isRealPassword } from './urls.js'
import { ALNUM_CHARS, BASE64, TOKEN, WORD, byteSet, draw, runOf, type DetectContext, type Family, type Handler, type Rand } from './types.js'

/** `-u user:password`, `--user 'user:password'`, `--user=user:password` within one curl command. */
const USER_OPTION = /(?:^|\s)(?:-u|--user)(?:=|[ \t]{1,8})(["']?)([^\s:"'$]{1,64}):([^\s"']{1,256})/
const BASIC = /[A-Za-z0-9+/]{8,684}={0,2}/y
const BEARER = /[A-Za-z0-9._~+/-]{16,1024}={0,2}/y
const BEARER_CHARS = byteSet(`${ALNUM_CHARS}._~+/-`)

/** At `curl`: the command (continued over lines ending in `\`, at most 2 KB) and the password of its -u option. */
const curlHandler: Handler = (ctx, pos) => {
  const { buf, end } = ctx
  if (pos > 0 && WORD[buf[pos - 1]!] === 1) return
  const next = buf[pos + 4]
  if (next !== 32 && next !== 9 && next !== 46) return
  const lines = buf.toString('latin1', pos, Math.min(end, pos + 2048)).split('\n')
  let n = 1
  while (n < lines.length && /\\\r?$/.test(lines[n - 1] ?? '')) n++
  const command = lines.slice(0, n).join('\n')
  const m = USER_OPTION.exec(command)
  if (m === null) return
  const [whole, , user = '', password = ''] = m
  if (!isRealPassword(password, user)) return
  const start = pos + m.index + whole.length - password.length
  ctx.emit('curl-user-password', start, start + password.length, password)
}

/** After `Authorization` (`Proxy-Authorization`): the separator any syntax puts before the scheme word. */
const SCHEME = /^["'\]]{0,2}[ \t]{0,4}(?:=>|[:=,])?[ \t]{0,4}["']?[ \t]{0,4}(basic|bearer)[ \t]{1,4}/i

/** At `rization` (the letters of `Authorization` rare enough for the prefilter): the Basic or Bearer credential. */
const authorizationHandler: Handler = (ctx, pos) => {
  const { buf, end } = ctx
  if (pos < 5 || buf.toString('latin1', pos - 5, pos).toLowerCase() !== 'autho') return
  const m = SCHEME.exec(buf.toString('latin1', pos + 8, Math.min(end, pos + 40)))
  if (m === null) return
  const at = pos + 8 + m[0].length
  if ((m[1] ?? '').toLowerCase() === 'basic') basic(ctx, at)
  else bearer(ctx, at)
}

function basic(ctx: DetectContext, at: number): void {
  const { buf, end } = ctx
  // Most `basic ` in text is the English word: 8 base64 characters must follow before anything is copied.
  if (runOf(BASE64, buf, at, Math.min(end, at + 8)) < 8) return
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

function bearer(ctx: DetectContext, at: number): void {
  const { buf, end } = ctx
  if (runOf(BEARER_CHARS, buf, at, Math.min(end, at + 16)) < 16) return
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
    { text: 'curl', handler: curlHandler, patterns: [USER_OPTION] },
    { text: 'rization', caseInsensitive: true, handler: authorizationHandler, patterns: [SCHEME, BASIC, BEARER] }
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
