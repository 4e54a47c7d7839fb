// Passwords in URLs (`scheme://user:password@host`, RFC 3986 userinfo) and in connection strings
// (`Server=…;Password=…`, `jdbc:…?user=…&password=…`; the key/value reader reports those).
import { isPlaceholder, shannonEntropy } from '../values.js'
import { draw, type Family, type Handler } from './types.js'

const SCHEME = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+.-'
const SCHEME_SET = new Uint8Array(256)
for (let i = 0; i < SCHEME.length; i++) SCHEME_SET[SCHEME.charCodeAt(i)] = 1

const USERINFO = /([^\s:/@'"`<>(){}[\]\\]{0,128}):([^\s/@'"`<>(){}[\]\\]{1,256})@([A-Za-z0-9][A-Za-z0-9.-]{0,252}|\[[0-9A-Fa-f:.]{2,64}\])/y
const DUMMY_PASSWORDS = new Set(
  'pass pw pwd root admin guest user test demo foo bar baz qux postgres mysql redis rabbitmq mongo mongodb changeit letmein hunter2 pa55word p4ssw0rd p@ssw0rd pass123 password1 pword x xx xyz abc anonymous tiger secret password'.split(
    ' '
  )
)
const PLACEHOLDER_HOST = /(?:^|\.)(?:example|invalid|test|host|hostname|domain|server|your-?host|myhost)(?:\.|$)/i
/** Schemes whose `a:b@c` is no login: `github://org:repo@ref`, `git+ssh`-style refs in lockfiles. */
const NOT_LOGIN_SCHEMES = /^(?:github|gitlab|bitbucket|npm|git\+ssh|ssh|file|data|blob|urn|tag|mailto)$/i

const urlHandler: Handler = (ctx, pos) => {
  const { buf, end } = ctx
  let s = pos
  const minS = Math.max(0, pos - 32)
  while (s > minS && SCHEME_SET[buf[s - 1]!] === 1) s--
  const scheme = buf.toString('latin1', s, pos)
  if (!/^[A-Za-z][A-Za-z0-9+.-]{1,31}$/.test(scheme) || NOT_LOGIN_SCHEMES.test(scheme)) return
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
  if (user !== '' && isPlaceholder(user, true)) return false
  // The classic documentation login (Oracle's scott/tiger), with or without decorations.
  if (user.toLowerCase() === 'scott' && /^tiger/i.test(decoded)) return false
  // A long, random-looking password is judged by the strict placeholder words only: a generated one may contain
  // `here` or `none` by chance.
  const random = decoded.length >= 12 && shannonEntropy(decoded) > 3.3
  if (isPlaceholder(decoded, random)) return false
  // `db_password`, `secretKey`: the name of a password, not one (a random one may contain `key` by chance).
  if (!random && /^[A-Za-z_][A-Za-z0-9_]{0,40}$/.test(decoded) && /(?:pass|pwd|secret|token|key)/i.test(decoded)) return false
  return true
}

export const URL_PATTERNS: RegExp[] = [USERINFO]

/** PHP's `new PDO($dsn, 'user', 'password')`, `new mysqli('host', 'user', 'password')`: the third argument. */
const PHP_CONNECT =
  /(?:new PDO|new mysqli|mysqli_connect)\([ \t]{0,4}(['"])[^'"\n]{1,300}\1[ \t]{0,4},[ \t]{0,4}(['"])([^'"\n]{0,128})\2[ \t]{0,4},[ \t]{0,4}(['"])([^'"\n]{1,256})\4/y

/** At `PDO(` or `mysqli` (`new ` is too common to anchor): the call starts at `new ` or `mysqli_connect(`. */
const phpConnectHandler: Handler = (ctx, at) => {
  const { buf, end } = ctx
  const pos = buf.toString('latin1', Math.max(0, at - 4), at) === 'new ' ? at - 4 : at
  const text = buf.toString('latin1', pos, Math.min(end, pos + 760))
  PHP_CONNECT.lastIndex = 0
  const m = PHP_CONNECT.exec(text)
  if (m === null) return
  const password = m[5] ?? ''
  if (!isRealPassword(password, m[3] ?? '')) return
  const stop = pos + m[0].length
  ctx.emit('connection-string-password', stop - password.length, stop, password)
}

const password = (r: { int(n: number): number }): string => `${draw(r, 6)}${draw(r, 1, '!#%*-_~')}${draw(r, 9)}`

export const urls: Family = {
  name: 'URLs and connection strings',
  source: 'https://www.rfc-editor.org/rfc/rfc3986#section-3.2.1',
  rules: [
    { id: 'url-credentials', description: 'URL with an embedded password', rank: 3 },
    { id: 'connection-string-password', description: 'Connection string with a password', rank: 3 }
  ],
  anchors: [
    { text: '://', before: SCHEME, handler: urlHandler, patterns: URL_PATTERNS },
    ...['PDO(', 'mysqli(', 'mysqli_connect('].map(text => ({ text, handler: phpConnectHandler, patterns: [PHP_CONNECT] }))
  ],
  cases: [
    {
      rule: 'url-credentials',
      key: 'DATABASE_URL',
      file: 'config.yaml',
      make: r => `postgres://app:${password(r)}@db.internal:5432/app`,
      raw: v => /:([^:@]+)@/.exec(v)?.[1] ?? v,
      content: v => `database_url: ${v}`,
      negatives: [
        'database_url: postgres://user:password@localhost/db',
        'other: https://user:${PASSWORD}@host.internal/x',
        'dep: github://org:repo@main',
        'docs: mysql://scott:tiger@localhost/test'
      ]
    },
    {
      rule: 'url-credentials',
      key: 'REDIS_URL',
      make: r => `redis://:${draw(r, 24)}@cache.prod.svc:6379/0`,
      raw: v => /:([^:@]+)@/.exec(v)?.[1] ?? v,
      negatives: ['redis://:<password>@cache:6379/0']
    },
    {
      rule: 'url-credentials',
      key: 'MONGODB_URI',
      make: r => `mongodb+srv://svc-user:${password(r)}@cluster0.ab1cd.mongodb.net/prod`,
      raw: v => /:([^:@/]+)@/.exec(v)?.[1] ?? v,
      negatives: ['mongodb+srv://<user>:<password>@cluster0.mongodb.net/']
    },
    {
      rule: 'connection-string-password',
      key: 'CONNECTION_STRING',
      file: 'appsettings.ini',
      make: r => `Server=db;Database=app;User Id=sa;Password=${draw(r, 14)};`,
      raw: v => /Password=([^;]+)/.exec(v)?.[1] ?? v,
      content: v => `ConnectionString=${v}`,
      negatives: ['ConnectionString=Server=db;Database=app;User Id=sa;Password=<password>;']
    },
    {
      rule: 'connection-string-password',
      file: 'db.php',
      make: password,
      content: v => `$pdo = new PDO('mysql:host=db.internal;dbname=app', 'app', '${v}');`,
      negatives: ["$pdo = new PDO($dsn, 'root', 'root');", "$pdo = new PDO('sqlite:app.db', '', '');"]
    }
  ]
}
