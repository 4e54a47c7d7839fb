// New Relic user API keys `NRAK-` + 27, insert keys `NRII-`, and license keys (40 characters ending `NRAL`) under New Relic-named keys.
// https://docs.newrelic.com/docs/apis/intro-apis/new-relic-api-keys/
import { isKeyShaped } from '../values.js'
import { prefixed } from './common.js'
import { ALNUM, DIGITS, HEX_CHARS, TOKEN, UPPER, draw, type Family } from './types.js'

const isKeyShapedNr = (v: string): boolean => isKeyShaped(v.endsWith('NRAL') ? v.slice(0, 36) : v)

export const newrelic: Family = {
  name: 'New Relic',
  source: 'https://docs.newrelic.com/docs/apis/intro-apis/new-relic-api-keys/',
  rules: [
    { id: 'newrelic-api-key', description: 'New Relic user API key or insert key' },
    { id: 'newrelic-license-key', description: 'New Relic license key' }
  ],
  keywords: ['license_key', 'licensekey', 'license-key'],
  tokens: [
    prefixed({ rule: 'newrelic-api-key', anchors: ['NRAK-'], re: /NRAK-[A-Z0-9]{27}/y, maxLength: 32, tail: ALNUM }),
    prefixed({ rule: 'newrelic-api-key', anchors: ['NRII-'], re: /NRII-[A-Za-z0-9_-]{32}/y, maxLength: 37, tail: TOKEN })
  ],
  keyed: [{ key: /(?:newrelic|nr).*licen[cs]ekey$/, value: /^(?:[a-f0-9]{36}NRAL|[a-f0-9]{40})$/, rule: 'newrelic-license-key', validate: isKeyShapedNr }],
  cases: [
    { rule: 'newrelic-api-key', key: 'NEW_RELIC_API_KEY', make: r => `NRAK-${draw(r, 27, UPPER + DIGITS)}`, negatives: ['NRAK-XXXXXXXXXXXXXXXXXXXXXXXXXXX'] },
    {
      rule: 'newrelic-license-key',
      key: 'NEW_RELIC_LICENSE_KEY',
      keyed: true,
      file: 'settings.env.txt',
      content: v => `NEW_RELIC_LICENSE_KEY=${v}`,
      make: r => `${draw(r, 36, HEX_CHARS)}NRAL`,
      negatives: ['NEW_RELIC_LICENSE_KEY=0000000000000000000000000000000000000000']
    }
  ]
}
