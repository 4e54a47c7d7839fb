// HubSpot private app access tokens `pat-<region>-<UUID>` (https://developers.hubspot.com/docs/api/private-apps),
// and legacy API keys (UUIDs) under HubSpot-named keys (`HUBSPOT_API_KEY`, `hapikey`).
import { UUID_RE, keyLike, prefixed, uuidOf } from './common.js'
import { WORD, type Family } from './types.js'

export const hubspot: Family = {
  name: 'HubSpot',
  source: 'https://developers.hubspot.com/docs/api/private-apps',
  revoke: 'https://developers.hubspot.com/docs/api/private-apps',
  rules: [
    { id: 'hubspot-private-app-token', description: 'HubSpot private app access token' },
    { id: 'hubspot-api-key', description: 'HubSpot API key (legacy)' }
  ],
  tokens: [
    prefixed({
      rule: 'hubspot-private-app-token',
      anchors: ['pat-'],
      re: /pat-[a-z]{2}[0-9]-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/y,
      maxLength: 44,
      prefix: 8,
      minEntropy: 2.8,
      tail: WORD
    })
  ],
  keyed: [{ key: /(?:hubspot.*(?:apikey|key|token)|hapikey)$/, value: UUID_RE, rule: 'hubspot-api-key', validate: keyLike }],
  cases: [
    {
      rule: 'hubspot-private-app-token',
      key: 'HUBSPOT_ACCESS_TOKEN',
      make: r => `pat-na1-${uuidOf(r)}`,
      negatives: ['pat-na1-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx', 'pat-na1-00000000-0000-0000-0000-000000000000']
    },
    {
      rule: 'hubspot-api-key',
      key: 'HUBSPOT_API_KEY',
      keyed: true,
      file: 'crm.ini',
      make: uuidOf,
      content: v => `HUBSPOT_API_KEY = ${v}`,
      negatives: ['HUBSPOT_PORTAL_ID = 12345678']
    }
  ]
}
