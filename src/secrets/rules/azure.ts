// Azure storage account keys (88 base64 characters ending `==`) in connection strings:
// https://learn.microsoft.com/en-us/azure/storage/common/storage-configure-connection-string
// Microsoft Entra (Azure AD) client secrets: 3 characters, a digit, `Q~`, then 31-34 characters of [A-Za-z0-9_~.-]:
// https://learn.microsoft.com/en-us/purview/sit-defn-azure-ad-client-secret
import { isPlaceholder, shannonEntropy } from '../values.js'
import { ALNUM, ALNUM_CHARS, BASE64, BASE64_CHARS, DIGITS, byteSet, draw, type Family, type Handler, type Rand } from './types.js'

const SECRET_CHARS = `${ALNUM_CHARS}_~.-`
const SECRET = byteSet(SECRET_CHARS)
const CLIENT_SECRET = /[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}/y

/** pos is the digit before `Q~`; the secret starts 3 characters earlier. */
const clientSecretHandler: Handler = (ctx, pos) => {
  const { buf, end } = ctx
  const start = pos - 3
  if (start < 0 || (start > 0 && SECRET[buf[start - 1]!] === 1)) return
  const text = buf.toString('latin1', start, Math.min(end, start + 41))
  CLIENT_SECRET.lastIndex = 0
  const m = CLIENT_SECRET.exec(text)
  if (m === null) return
  const stop = start + m[0].length
  if (stop < end && SECRET[buf[stop]!] === 1) return
  const body = m[0].slice(6)
  // `...` marks a shortened value elsewhere; in a full-length secret, whose alphabet has `.`, it is chance (one in 7,000).
  if (shannonEntropy(body) < 3.8 || isPlaceholder(body.replaceAll('...', '.'), true)) return
  ctx.emit('azure-ad-client-secret', start, stop, m[0])
}

export const makeClientSecret = (r: Rand): string => `${draw(r, 3)}${draw(r, 1, DIGITS)}Q~${draw(r, 34, SECRET_CHARS)}`

export const azure: Family = {
  name: 'Azure',
  source: 'https://learn.microsoft.com/en-us/azure/storage/common/storage-configure-connection-string',
  revoke: 'https://learn.microsoft.com/en-us/entra/identity-platform/how-to-add-credentials',
  rules: [
    { id: 'azure-storage-account-key', description: 'Azure storage account key' },
    { id: 'azure-ad-client-secret', description: 'Microsoft Entra (Azure AD) application client secret' }
  ],
  anchors: Array.from(DIGITS, d => ({ text: `${d}Q~`, before: SECRET_CHARS, handler: clientSecretHandler, patterns: [CLIENT_SECRET] })),
  tokens: [
    {
      anchors: ['AccountKey='],
      caseInsensitive: true,
      re: /AccountKey=([A-Za-z0-9+/]{86}==)/iy,
      maxLength: 99,
      rule: 'azure-storage-account-key',
      lead: ALNUM,
      tail: BASE64,
      group: 1,
      validate: k => !isPlaceholder(k, true) && shannonEntropy(k) > 4.5
    }
  ],
  cases: [
    {
      rule: 'azure-storage-account-key',
      key: 'AZURE_STORAGE_CONNECTION_STRING',
      make: r => `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${draw(r, 86, BASE64_CHARS)}==;EndpointSuffix=core.windows.net`,
      raw: v => /AccountKey=([^;]+)/.exec(v)?.[1] ?? v,
      negatives: ['DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=<storage-key>;']
    },
    {
      rule: 'azure-ad-client-secret',
      key: 'AZURE_CLIENT_SECRET',
      make: makeClientSecret,
      negatives: ['AZURE_CLIENT_SECRET=abc8Q~xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'AZURE_CLIENT_SECRET=<client-secret>']
    }
  ]
}
