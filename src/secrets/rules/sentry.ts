// Sentry organization auth tokens `sntrys_` + base64 JSON + `_` + secret, user auth tokens `sntryu_` + 64 hex.
// https://docs.sentry.io/account/auth-tokens/
import { prefixed } from './common.js'
import { BASE64, BASE64_CHARS, HEX_CHARS, draw, type Family } from './types.js'

export const sentry: Family = {
  name: 'Sentry',
  source: 'https://docs.sentry.io/account/auth-tokens/',
  rules: [{ id: 'sentry-auth-token', description: 'Sentry organization or user auth token' }],
  tokens: [
    prefixed({
      rule: 'sentry-auth-token',
      anchors: ['sntrys_eyJ'],
      re: /sntrys_eyJ[A-Za-z0-9+/=]{20,1000}_[A-Za-z0-9+/]{43}/y,
      maxLength: 1100,
      tail: BASE64,
      prefix: 7
    }),
    prefixed({ rule: 'sentry-auth-token', anchors: ['sntryu_'], re: /sntryu_[a-f0-9]{64}/y, maxLength: 71 })
  ],
  cases: [
    {
      rule: 'sentry-auth-token',
      key: 'SENTRY_AUTH_TOKEN',
      make: r =>
        `sntrys_${Buffer.from(JSON.stringify({ iat: 1700000000 + r.int(1000000), url: 'https://sentry.io', region_url: 'https://us.sentry.io', org: 'acme' }))
          .toString('base64')
          .replace(/=+$/, '')}_${draw(r, 43, BASE64_CHARS)}`,
      negatives: ['sntrys_eyJ...']
    },
    {
      rule: 'sentry-auth-token',
      key: 'SENTRY_USER_TOKEN',
      make: r => `sntryu_${draw(r, 64, HEX_CHARS)}`,
      negatives: ['sntryu_0000000000000000000000000000000000000000000000000000000000000000']
    }
  ]
}
