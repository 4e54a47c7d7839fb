// Heroku API keys: `HRKU-` tokens, and UUID-shaped keys under a Heroku-named key (`HEROKU_API_KEY`).
// https://devcenter.heroku.com/articles/authentication
import { isKeyShaped } from '../values.js'
import { prefixed } from './common.js'
import { HEX_CHARS, TOKEN, TOKEN_CHARS, draw, type Family } from './types.js'

const uuidOf = (r: { int(n: number): number }): string =>
  `${draw(r, 8, HEX_CHARS)}-${draw(r, 4, HEX_CHARS)}-4${draw(r, 3, HEX_CHARS)}-a${draw(r, 3, HEX_CHARS)}-${draw(r, 12, HEX_CHARS)}`
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export const heroku: Family = {
  name: 'Heroku',
  source: 'https://devcenter.heroku.com/articles/authentication',
  rules: [{ id: 'heroku-api-key', description: 'Heroku API key' }],
  keywords: ['heroku'],
  tokens: [prefixed({ rule: 'heroku-api-key', anchors: ['HRKU-'], re: /HRKU-[A-Za-z0-9_-]{40,80}/y, maxLength: 85, tail: TOKEN })],
  keyed: [{ key: /heroku.*(?:apikey|token|key)$/, value: UUID_RE, rule: 'heroku-api-key', validate: isKeyShaped }],
  cases: [
    {
      rule: 'heroku-api-key',
      key: 'HEROKU_API_KEY',
      make: r => `HRKU-AA${draw(r, 58, TOKEN_CHARS)}`,
      negatives: ['HRKU-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx']
    },
    {
      rule: 'heroku-api-key',
      key: 'HEROKU_API_KEY',
      keyed: true,
      file: 'settings.env.txt',
      content: v => `HEROKU_API_KEY=${v}`,
      make: uuidOf,
      negatives: ['HEROKU_API_KEY=00000000-0000-0000-0000-000000000000']
    }
  ]
}
