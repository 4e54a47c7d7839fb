// Sendbird API tokens (40 hex, the master or a secondary token sent as `Api-Token`) under Sendbird-named keys;
// the application id (a UUID) is public. https://sendbird.com/docs/chat/platform-api/v3/prepare-to-use-api
import { isKeyShaped } from '../values.js'
import { HEX_CHARS, draw, type Family } from './types.js'

export const sendbird: Family = {
  name: 'Sendbird',
  source: 'https://sendbird.com/docs/chat/platform-api/v3/prepare-to-use-api',
  revoke: 'https://dashboard.sendbird.com/',
  rules: [{ id: 'sendbird-api-token', description: 'Sendbird API token' }],
  keyed: [{ key: /sendbird.*(?:token|apikey|key|secret)$/, value: /^[a-f0-9]{40}$/, rule: 'sendbird-api-token', validate: isKeyShaped }],
  cases: [
    {
      rule: 'sendbird-api-token',
      key: 'SENDBIRD_API_TOKEN',
      keyed: true,
      file: 'chat.ini',
      make: r => draw(r, 40, HEX_CHARS),
      content: v => `SENDBIRD_API_TOKEN = ${v}`,
      negatives: ['SENDBIRD_APP_ID = 8F8D3C5B-1A2B-4C3D-9E8F-0A1B2C3D4E5F', 'SENDBIRD_API_TOKEN = 0000000000000000000000000000000000000000']
    }
  ]
}
