// SendGrid API keys `SG.<22>.<43>`: https://www.twilio.com/docs/sendgrid/ui/account-and-settings/api-keys
import { prefixed } from './common.js'
import { NOT_TOKEN, TOKEN, TOKEN_CHARS, draw, type Family } from './types.js'

export const sendgrid: Family = {
  name: 'SendGrid',
  source: 'https://www.twilio.com/docs/sendgrid/ui/account-and-settings/api-keys',
  rules: [{ id: 'sendgrid-api-key', description: 'SendGrid API key' }],
  tokens: [
    prefixed({
      rule: 'sendgrid-api-key',
      anchors: ['SG.'],
      before: NOT_TOKEN,
      re: /SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}/y,
      maxLength: 69,
      lead: TOKEN,
      tail: TOKEN
    })
  ],
  cases: [
    {
      rule: 'sendgrid-api-key',
      key: 'SENDGRID_API_KEY',
      make: r => `SG.${draw(r, 22, TOKEN_CHARS)}.${draw(r, 43, TOKEN_CHARS)}`,
      negatives: [`SG.${'x'.repeat(22)}.${'x'.repeat(43)}`]
    }
  ]
}
