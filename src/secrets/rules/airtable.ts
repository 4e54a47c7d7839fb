// Airtable personal access tokens `pat` + 14 + `.` + 64 hex, and legacy API keys `key` + 14 under Airtable-named
// keys. https://airtable.com/developers/web/api/authentication
import { isPlaceholder, isRandomHex, shannonEntropy } from '../values.js'
import { prefixed } from './common.js'
import { HEX_CHARS, draw, type Family } from './types.js'

export const airtable: Family = {
  name: 'Airtable',
  source: 'https://airtable.com/developers/web/api/authentication',
  revoke: 'https://airtable.com/create/tokens',
  rules: [
    { id: 'airtable-personal-access-token', description: 'Airtable personal access token' },
    { id: 'airtable-api-key', description: 'Airtable API key (legacy)' }
  ],
  // `pat` is too common a prefix for an anchor: a token is named when the key/value reader finds it.
  named: [
    prefixed({
      rule: 'airtable-personal-access-token',
      anchors: ['pat'],
      re: /pat[A-Za-z0-9]{14}\.[a-f0-9]{64}/y,
      maxLength: 82,
      validate: v => isRandomHex(v.slice(18)) && !isPlaceholder(v.slice(3), true)
    })
  ],
  keyed: [
    {
      key: /airtable/,
      value: /^key[A-Za-z0-9]{14}$/,
      rule: 'airtable-api-key',
      validate: v => shannonEntropy(v.slice(3)) > 2.5 && !isPlaceholder(v.slice(3), true)
    }
  ],
  cases: [
    {
      rule: 'airtable-personal-access-token',
      key: 'AIRTABLE_TOKEN',
      file: 'base.ini',
      make: r => `pat${draw(r, 14)}.${draw(r, 64, HEX_CHARS)}`,
      content: v => `AIRTABLE_TOKEN = ${v}`,
      negatives: [`AIRTABLE_TOKEN = patXXXXXXXXXXXXXX.${'0'.repeat(64)}`, 'pattern = pat12345678901234.abc']
    },
    {
      rule: 'airtable-api-key',
      key: 'AIRTABLE_API_KEY',
      keyed: true,
      file: 'base.ini',
      make: r => `key${draw(r, 14)}`,
      content: v => `AIRTABLE_API_KEY = ${v}`,
      negatives: ['AIRTABLE_API_KEY = keyXXXXXXXXXXXXXX']
    }
  ]
}
