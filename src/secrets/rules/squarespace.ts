// Squarespace Commerce API keys, sent as bearer tokens; their shape is not documented as distinctive, so a
// machine-made value under a Squarespace-named key counts. https://developers.squarespace.com/commerce-apis/authentication-and-permissions
import { keyLike, uuidOf } from './common.js'
import { type Family } from './types.js'

export const squarespace: Family = {
  name: 'Squarespace',
  source: 'https://developers.squarespace.com/commerce-apis/authentication-and-permissions',
  revoke: 'https://developers.squarespace.com/commerce-apis/authentication-and-permissions',
  rules: [{ id: 'squarespace-api-key', description: 'Squarespace API key' }],
  keyed: [{ key: /squarespace.*(?:key|token|secret)$/, value: /^[A-Za-z0-9_.+/=-]{16,128}$/, rule: 'squarespace-api-key', validate: keyLike }],
  cases: [
    {
      rule: 'squarespace-api-key',
      key: 'SQUARESPACE_API_KEY',
      keyed: true,
      file: 'shop.ini',
      make: uuidOf,
      content: v => `SQUARESPACE_API_KEY = ${v}`,
      negatives: ['SQUARESPACE_API_KEY = your-api-key', 'SQUARESPACE_SITE_ID = 5f3a1b2c3d4e5f6a7b8c9d0e']
    }
  ]
}
