// Postman API keys `PMAK-` + 24 hex + `-` + 34 hex.
// https://learning.postman.com/docs/developer/postman-api/authentication/
import { prefixed } from './common.js'
import { HEX_CHARS, TOKEN, draw, type Family } from './types.js'

export const postman: Family = {
  name: 'Postman',
  source: 'https://learning.postman.com/docs/developer/postman-api/authentication/',
  rules: [{ id: 'postman-api-key', description: 'Postman API key' }],
  tokens: [prefixed({ rule: 'postman-api-key', anchors: ['PMAK-'], re: /PMAK-[a-f0-9]{24}-[a-f0-9]{34}/y, maxLength: 64, tail: TOKEN })],
  cases: [
    {
      rule: 'postman-api-key',
      key: 'POSTMAN_API_KEY',
      make: r => `PMAK-${draw(r, 24, HEX_CHARS)}-${draw(r, 34, HEX_CHARS)}`,
      negatives: ['PMAK-000000000000000000000000-0000000000000000000000000000000000']
    }
  ]
}
