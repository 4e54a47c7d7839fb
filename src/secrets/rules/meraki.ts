// Cisco Meraki Dashboard API keys: 40 hex under a Meraki-named key.
// https://developer.cisco.com/meraki/api-v1/authorization/
import { isKeyShaped } from '../values.js'
import { HEX_CHARS, draw, type Family } from './types.js'

export const meraki: Family = {
  name: 'Cisco Meraki',
  source: 'https://developer.cisco.com/meraki/api-v1/authorization/',
  rules: [{ id: 'meraki-api-key', description: 'Cisco Meraki Dashboard API key' }],
  keywords: ['meraki'],
  keyed: [{ key: /meraki.*(?:apikey|key|token)$/, value: /^[a-f0-9]{40}$/, rule: 'meraki-api-key', validate: isKeyShaped }],
  cases: [
    {
      rule: 'meraki-api-key',
      key: 'MERAKI_DASHBOARD_API_KEY',
      keyed: true,
      file: 'settings.env.txt',
      content: v => `MERAKI_DASHBOARD_API_KEY=${v}`,
      make: r => draw(r, 40, HEX_CHARS),
      negatives: ['MERAKI_DASHBOARD_API_KEY=0000000000000000000000000000000000000000']
    }
  ]
}
