// Twilio API key SIDs `SK` + 32 hex and auth tokens (32 hex), recognised under Twilio-named keys:
// https://www.twilio.com/docs/iam/api-keys
import { isPlaceholder, isRandomHex } from '../values.js'
import { HEX_CHARS, draw, type Family } from './types.js'

export const twilio: Family = {
  name: 'Twilio',
  source: 'https://www.twilio.com/docs/iam/api-keys',
  rules: [
    { id: 'twilio-api-key', description: 'Twilio API key SID next to its secret' },
    { id: 'twilio-auth-token', description: 'Twilio auth token' }
  ],
  keywords: ['twilio'],
  keyed: [
    { key: /twilio/, value: /^SK[0-9a-fA-F]{32}$/, rule: 'twilio-api-key', validate: v => !isPlaceholder(v.slice(2), true) },
    { key: /twilio.*(?:token|secret)$/, value: /^[0-9a-f]{32}$/, rule: 'twilio-auth-token', validate: isRandomHex }
  ],
  cases: [
    {
      rule: 'twilio-api-key',
      key: 'TWILIO_API_KEY',
      keyed: true,
      file: 'app.env.example.txt',
      make: r => `SK${draw(r, 32, HEX_CHARS)}`,
      content: v => `TWILIO_API_KEY=${v}`,
      negatives: [`TWILIO_API_KEY=SK${'0'.repeat(32)}`]
    },
    {
      rule: 'twilio-auth-token',
      key: 'TWILIO_AUTH_TOKEN',
      keyed: true,
      file: 'settings.ini',
      make: r => draw(r, 32, HEX_CHARS),
      content: v => `TWILIO_AUTH_TOKEN=${v}`,
      negatives: ['TWILIO_AUTH_TOKEN=your_auth_token']
    }
  ]
}
