// Kubernetes Secret manifests: `data:` values are base64 (decoded here and judged as the value they hold),
// `stringData:` values are plain. A value counts when it is a password or token under a secret-sounding key, any
// random-looking value, a URL with a password, a private key, or a docker config with an auth.
// https://kubernetes.io/docs/concepts/configuration/secret/
import { isPlaceholder, looksRandomSecret } from '../values.js'
import { isRealPassword } from './urls.js'
import { LOOKAHEAD, LOOKBACK, draw, type Family, type Handler } from './types.js'

const ENTRY = /^([ \t]{1,12})(["']?)([A-Za-z0-9._-]{1,253})\2[ \t]{0,4}:[ \t]{0,4}(["']?)([^\s"'#]{1,8192})\4[ \t]{0,16}$/
/** Keys that hold what identifies, not what authenticates. */
const PUBLIC_KEY_NAME =
  /(?:^|[._-])(?:user|username|login|email|host|hostname|port|database|db|dbname|name|namespace|region|endpoint|url|uri|ca\.crt|tls\.crt|crt|cert|certificate|pub|public)$/i
const SECRET_KEY_NAME = /(?:password|passwd|pwd|secret|token|key|credential|credentials|auth|pass)$/i

function judge(key: string, value: string): boolean {
  if (/PRIVATE KEY-----/.test(value)) return true
  const url = /^[a-z][a-z0-9+.-]{1,31}:\/\/([^\s:/@]{0,128}):([^\s/@]{1,256})@/i.exec(value)
  if (url !== null) return isRealPassword(url[2] ?? '', url[1] ?? '')
  if (key === '.dockerconfigjson' || key === '.dockercfg') {
    const auth = /"auth"\s*:\s*"([A-Za-z0-9+/=]{8,})"/.exec(value)?.[1]
    const pair = auth === undefined ? '' : Buffer.from(auth, 'base64').toString('latin1')
    const colon = pair.indexOf(':')
    return colon > 0 && isRealPassword(pair.slice(colon + 1), pair.slice(0, colon))
  }
  if (PUBLIC_KEY_NAME.test(key) || /[\r\n]/.test(value.trim())) return false
  const v = value.trim()
  if (SECRET_KEY_NAME.test(key)) return v.length >= 6 && isRealPassword(v, '') && !isPlaceholder(v)
  return looksRandomSecret(v)
}

/**
 * At `Secret`, whose letters the `secret` keyword already anchors (so no new letter pair for the prefilter): a
 * `kind: Secret` line (not SecretProviderClass); the document runs between `---` lines.
 */
const secretHandler: Handler = (ctx, at) => {
  const { buf, end } = ctx
  if (at < 6 || (buf[at - 1] !== 32 && buf[at - 1] !== 34 && buf[at - 1] !== 39)) return
  if (!/(?:^|[\s"'])kind["']?:[ \t]{0,4}["']?$/.test(buf.toString('latin1', Math.max(0, at - 14), at))) return
  const pos = at
  const after = buf.toString('latin1', at + 6, Math.min(end, at + 10))
  if (!/^["']?[ \t]*(?:\r?\n|$)/.test(after)) return
  const from = Math.max(0, pos - LOOKBACK)
  const head = buf.toString('latin1', from, pos)
  const docStart = from + Math.max(0, head.lastIndexOf('\n---') + 1)
  const tail = buf.toString('latin1', pos, Math.min(end, pos + LOOKAHEAD))
  const next = tail.indexOf('\n---')
  const doc = buf.toString('latin1', docStart, next < 0 ? Math.min(end, pos + LOOKAHEAD) : pos + next)
  let section: 'data' | 'stringData' | undefined
  let offset = docStart
  for (const line of doc.split('\n')) {
    const lineStart = offset
    offset += line.length + 1
    if (/^(?:data|stringData)[ \t]*:[ \t]*$/.test(line.trimEnd())) {
      section = line.startsWith('data') ? 'data' : 'stringData'
      continue
    }
    if (!/^[ \t]/.test(line)) {
      section = undefined
      continue
    }
    if (section === undefined) continue
    const m = ENTRY.exec(line.trimEnd())
    if (m === null) continue
    const [, indent = '', keyQuote = '', key = '', , raw = ''] = m
    let value = raw
    if (section === 'data') {
      if (!/^[A-Za-z0-9+/]{4,}={0,2}$/.test(raw) || raw.length % 4 !== 0) continue
      value = Buffer.from(raw, 'base64').toString('latin1')
      if (!/^[\x20-\x7e\r\n\t]+$/.test(value)) continue
    }
    if (!judge(key, value)) continue
    const vs = lineStart + line.indexOf(raw, indent.length + 2 * keyQuote.length + key.length)
    ctx.emit('kubernetes-secret', vs, vs + raw.length, raw)
  }
}

export const kubernetes: Family = {
  name: 'Kubernetes',
  source: 'https://kubernetes.io/docs/concepts/configuration/secret/',
  rules: [{ id: 'kubernetes-secret', description: 'Credential in a Kubernetes Secret manifest', rank: 2 }],
  anchors: [{ text: 'Secret', handler: secretHandler, patterns: [ENTRY] }],
  cases: [
    {
      rule: 'kubernetes-secret',
      file: 'secret.yaml',
      make: r => Buffer.from(`${draw(r, 6)}!${draw(r, 9)}`).toString('base64'),
      content: v =>
        `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  username: ${Buffer.from('app').toString('base64')}\n  password: ${v}\ntype: Opaque`,
      line: 7,
      negatives: [
        'apiVersion: v1',
        'kind: Secret',
        'data:',
        `  username: ${Buffer.from('admin').toString('base64')}`,
        `  password: ${Buffer.from('changeme').toString('base64')}`,
        `  host: ${Buffer.from('db.internal').toString('base64')}`,
        '  token: {{ .Values.token | b64enc }}'
      ]
    }
  ]
}
