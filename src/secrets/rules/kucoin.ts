// KuCoin API credentials: a key (24 hex), a secret (a UUID) and the passphrase chosen at creation, sent as
// KC-API-KEY / KC-API-SIGN (an HMAC made with the secret) / KC-API-PASSPHRASE. The shapes are not distinctive, so
// they count under KuCoin-named keys. https://www.kucoin.com/docs/basic-info/connection-method/authentication/creating-a-request
import { isRandomHex } from '../values.js'
import { UUID_RE, keyLike, uuidOf } from './common.js'
import { isRealPassword } from './urls.js'
import { HEX_CHARS, draw, type Family } from './types.js'

export const kucoin: Family = {
  name: 'KuCoin',
  source: 'https://www.kucoin.com/docs/basic-info/connection-method/authentication/creating-a-request',
  revoke: 'https://www.kucoin.com/account/api',
  rules: [
    { id: 'kucoin-api-key', description: 'KuCoin API key' },
    { id: 'kucoin-api-secret', description: 'KuCoin API secret' },
    { id: 'kucoin-api-passphrase', description: 'KuCoin API passphrase' }
  ],
  keyed: [
    { key: /kucoin.*(?:secret|secretkey)$/, value: UUID_RE, rule: 'kucoin-api-secret', validate: keyLike },
    { key: /kucoin.*key$/, value: /^[a-f0-9]{24}$/, rule: 'kucoin-api-key', validate: isRandomHex },
    { key: /kucoin.*(?:passphrase|password)$/, value: /^\S{6,64}$/, rule: 'kucoin-api-passphrase', validate: v => isRealPassword(v, '') }
  ],
  cases: [
    {
      rule: 'kucoin-api-secret',
      key: 'KUCOIN_API_SECRET',
      keyed: true,
      file: 'bot.env.txt',
      make: uuidOf,
      content: v => `KUCOIN_API_SECRET=${v}`,
      negatives: ['KUCOIN_API_SECRET=00000000-0000-0000-0000-000000000000']
    },
    {
      rule: 'kucoin-api-key',
      key: 'KUCOIN_API_KEY',
      keyed: true,
      file: 'bot.ini',
      make: r => draw(r, 24, HEX_CHARS),
      content: v => `KUCOIN_API_KEY = ${v}`,
      negatives: ['KUCOIN_API_KEY = 000000000000000000000000', 'KUCOIN_API_KEY = <your-key>']
    },
    {
      rule: 'kucoin-api-passphrase',
      key: 'KUCOIN_API_PASSPHRASE',
      keyed: true,
      file: 'bot.ini',
      make: r => `${draw(r, 6)}-${draw(r, 6)}`,
      content: v => `KUCOIN_API_PASSPHRASE = ${v}`,
      negatives: ['KUCOIN_API_PASSPHRASE = changeme']
    }
  ]
}
