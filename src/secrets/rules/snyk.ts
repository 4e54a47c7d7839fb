// Snyk API tokens: UUIDs under a Snyk-named key (`SNYK_TOKEN`).
// https://docs.snyk.io/snyk-api/authentication-for-api
import { isKeyShaped } from '../values.js'
import { HEX_CHARS, draw, type Family } from './types.js'

const uuidOf = (r: { int(n: number): number }): string =>
  `${draw(r, 8, HEX_CHARS)}-${draw(r, 4, HEX_CHARS)}-4${draw(r, 3, HEX_CHARS)}-a${draw(r, 3, HEX_CHARS)}-${draw(r, 12, HEX_CHARS)}`
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export const snyk: Family = {
  name: 'Snyk',
  source: 'https://docs.snyk.io/snyk-api/authentication-for-api',
  rules: [{ id: 'snyk-token', description: 'Snyk API token' }],
  keyed: [{ key: /snyk.*(?:token|apikey|key)$/, value: UUID_RE, rule: 'snyk-token', validate: isKeyShaped }],
  cases: [
    {
      rule: 'snyk-token',
      key: 'SNYK_TOKEN',
      keyed: true,
      file: 'settings.env.txt',
      content: v => `SNYK_TOKEN=${v}`,
      make: uuidOf,
      negatives: ['SNYK_TOKEN=00000000-0000-0000-0000-000000000000']
    }
  ]
}
