// JSON Web Tokens (RFC 7519): `eyJ…` (base64url of `{"`) header . payload . signature, and the base64 of a
// whole JWT (`ZXlK…`). Only signed tokens whose header decodes to JSON naming an algorithm other than `none`.
import { BEFORE_TOKEN, LOOKAHEAD, TOKEN, draw, type Family, type Handler, type Rand } from './types.js'

const JWT = /eyJ[A-Za-z0-9_-]{10,2000}\.eyJ[A-Za-z0-9_-]{10,8000}\.[A-Za-z0-9_-]{16,1400}/y
const B64_JWT = /ZXlK[A-Za-z0-9+/]{60,16000}={0,2}/y
const B64 = (() => {
  const t = new Uint8Array(256)
  for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=') t[c.charCodeAt(0)] = 1
  return t
})()

export function isSignedJwt(token: string): boolean {
  const [header, payload, signature] = token.split('.')
  if (header === undefined || payload === undefined || signature === undefined || signature.length < 16) return false
  try {
    const parsed = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as unknown
    if (typeof parsed !== 'object' || parsed === null || !('alg' in parsed)) return false
    const alg = (parsed as { alg: unknown }).alg
    if (typeof alg !== 'string' || alg.toLowerCase() === 'none') return false
    JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
    return true
  } catch {
    return false
  }
}

const jwtHandler: Handler = (ctx, pos) => {
  const { buf, end } = ctx
  if (pos > 0 && (TOKEN[buf[pos - 1]!] === 1 || buf[pos - 1] === 46)) return
  const text = buf.toString('latin1', pos, Math.min(end, pos + 11500))
  JWT.lastIndex = 0
  const m = JWT.exec(text)
  if (m === null) return
  const stop = pos + m[0].length
  if (stop < end && (TOKEN[buf[stop]!] === 1 || buf[stop] === 46)) return
  if (isSignedJwt(m[0])) ctx.emit('jwt', pos, stop, m[0])
}

const base64JwtHandler: Handler = (ctx, pos) => {
  const { buf, end } = ctx
  if (pos > 0 && B64[buf[pos - 1]!] === 1) return
  const text = buf.toString('latin1', pos, Math.min(end, pos + Math.min(LOOKAHEAD, 16100)))
  B64_JWT.lastIndex = 0
  const m = B64_JWT.exec(text)
  if (m === null) return
  const stop = pos + m[0].length
  if (stop < end && B64[buf[stop]!] === 1) return
  const decoded = Buffer.from(m[0], 'base64').toString('latin1').trim()
  JWT.lastIndex = 0
  const inner = JWT.exec(decoded)
  if (inner === null || inner[0].length !== decoded.length || !isSignedJwt(decoded)) return
  ctx.emit('jwt', pos, stop, m[0])
}

const b64url = (s: string): string => Buffer.from(s).toString('base64url')

export function makeJwt(r: Rand): string {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const payload = b64url(JSON.stringify({ sub: draw(r, 12), iat: 1700000000 + r.int(10000000), scope: 'api' }))
  return `${header}.${payload}.${draw(r, 43, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-')}`
}

export const jwt: Family = {
  name: 'JWT',
  source: 'https://www.rfc-editor.org/rfc/rfc7519',
  rules: [{ id: 'jwt', description: 'Signed JSON Web Token', rank: 1 }],
  anchors: [
    { text: 'eyJ', before: BEFORE_TOKEN, handler: jwtHandler, patterns: [JWT] },
    { text: 'ZXlK', handler: base64JwtHandler, patterns: [B64_JWT] }
  ],
  cases: [
    {
      rule: 'jwt',
      key: 'SERVICE_JWT',
      make: makeJwt,
      negatives: [
        `${b64url('{"alg":"none"}')}.${b64url('{"sub":"x"}')}.`,
        'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.<signature>',
        'eyJxxxxxxxxxxxxx.eyJxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxx'
      ]
    },
    {
      rule: 'jwt',
      key: 'ENCODED_TOKEN',
      make: r => Buffer.from(makeJwt(r)).toString('base64'),
      negatives: ['ZXlKaGJHY2lPaUp1YjI1bEluMC5leUp6ZFdJaU9pSjRJbjAu']
    }
  ]
}
