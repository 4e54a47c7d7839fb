// Private keys: PEM blocks with key material (RFC 7468; OpenSSH, PGP), PuTTY key files, kubeconfig
// `client-key-data` (a base64 PEM), and a PEM private key inside JSON (a Google service account key).
import { shannonEntropy } from '../values.js'
import { BASE64, BASE64_CHARS, LOOKAHEAD, LOOKBACK, WORD, draw, lastIndexOfByte, type Family, type Handler, type Rand, type RuleId } from './types.js'

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
  const body = lines.map(l => l.trim()).join('')
  if (body.length < 40 || !/^[A-Za-z0-9+/]{40,20000}={0,2}$/.test(body) || shannonEntropy(body) < 4.2) return
  ctx.emit('putty-private-key', pos, pos + at, body)
}

/** A PKCS#8-shaped PEM block of random bytes (the scanner judges shape and randomness, not the ASN.1). */
export function pemBlock(r: Rand, label = 'PRIVATE KEY'): string {
  const bytes = Buffer.from(Array.from({ length: 1190 }, () => r.int(256)))
  const b64 = `MIIEv${bytes.toString('base64')}`.slice(0, 1588)
  const lines = b64.match(/.{1,64}/g) ?? []
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`
}

const firstBodyLine = (pem: string): string => pem.split(/\\n|\n/)[1] ?? pem

export const privateKeys: Family = {
  name: 'Private keys',
  source: 'https://www.rfc-editor.org/rfc/rfc7468',
  rules: [
    { id: 'private-key', description: 'Private key (PEM block with key material)' },
    { id: 'putty-private-key', description: 'PuTTY private key' },
    { id: 'kubeconfig-client-key', description: 'Kubernetes client key (client-key-data)' }
  ],
  anchors: [
    { text: 'BEGIN ', handler: pemHandler, patterns: [PEM_HEADER] },
    { text: 'PuTTY-User-Key-File-', handler: puttyHandler }
  ],
  tokens: [
    {
      anchors: ['client-key-data'],
      re: /client-key-data"?[ \t]{0,8}:[ \t]{0,8}"?(LS0tLS1CRUdJTi[A-Za-z0-9+/]{40,20000}={0,2})/y,
      maxLength: 20060,
      rule: 'kubeconfig-client-key',
      lead: WORD,
      tail: BASE64,
      group: 1,
      validate: k => shannonEntropy(k) > 4.5
    }
  ],
  cases: [
    {
      rule: 'private-key',
      file: 'server.key',
      make: r => pemBlock(r, 'RSA PRIVATE KEY'),
      content: v => v,
      raw: firstBodyLine,
      negatives: [
        '-----BEGIN RSA PRIVATE KEY-----',
        '...',
        '-----END RSA PRIVATE KEY-----',
        '-----BEGIN CERTIFICATE-----',
        `MIIB${'A'.repeat(60)}`,
        '-----END CERTIFICATE-----'
      ]
    },
    {
      rule: 'putty-private-key',
      file: 'id.ppk',
      make: r =>
        `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: k\nPublic-Lines: 2\n${draw(r, 64, BASE64_CHARS)}\n${draw(r, 4, BASE64_CHARS)}\nPrivate-Lines: 1\n${draw(r, 64, BASE64_CHARS)}\nPrivate-MAC: ${draw(r, 64, '0123456789abcdef')}\n`,
      content: v => v,
      raw: v => v.split('\n')[7] ?? v,
      negatives: ['PuTTY-User-Key-File-3: ssh-ed25519', 'Encryption: none', 'Private-Lines: 1', '...']
    },
    {
      rule: 'kubeconfig-client-key',
      file: 'kube.yaml',
      make: r => Buffer.from(pemBlock(r, 'EC PRIVATE KEY')).toString('base64'),
      content: v => `    client-key-data: ${v}`,
      negatives: ['users:', '- name: u', '  user:', '    client-key-data: DATA+OMITTED']
    }
  ]
}
