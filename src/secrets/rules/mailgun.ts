// Mailgun API keys `key-` + 32 hex.
// https://documentation.mailgun.com/docs/mailgun/user-manual/api-key-mgmt/
import { prefixed } from './common.js'
import { ALNUM, HEX_CHARS, TOKEN, draw, type Family } from './types.js'

export const mailgun: Family = {
  name: 'Mailgun',
  source: 'https://documentation.mailgun.com/docs/mailgun/user-manual/api-key-mgmt/',
  rules: [{ id: 'mailgun-api-key', description: 'Mailgun API key' }],
  tokens: [prefixed({ rule: 'mailgun-api-key', anchors: ['key-'], re: /key-[a-f0-9]{32}/y, maxLength: 36, lead: TOKEN, tail: ALNUM, minEntropy: 3.2 })],
  cases: [{ rule: 'mailgun-api-key', key: 'MAILGUN_API_KEY', make: r => `key-${draw(r, 32, HEX_CHARS)}`, negatives: ['key-00000000000000000000000000000000'] }]
}
