// DigitalOcean personal access tokens `dop_v1_`, OAuth tokens `doo_v1_`, refresh tokens `dor_v1_`: prefix + 64 hex.
// https://docs.digitalocean.com/reference/api/create-personal-access-token/
import { prefixed } from './common.js'
import { HEX_CHARS, draw, type Family } from './types.js'

export const digitalocean: Family = {
  name: 'DigitalOcean',
  source: 'https://docs.digitalocean.com/reference/api/create-personal-access-token/',
  rules: [{ id: 'digitalocean-token', description: 'DigitalOcean access, OAuth or refresh token' }],
  tokens: [prefixed({ rule: 'digitalocean-token', anchors: ['dop_v1_', 'doo_v1_', 'dor_v1_'], re: /do[por]_v1_[a-f0-9]{64}/y, maxLength: 71 })],
  cases: [
    {
      rule: 'digitalocean-token',
      key: 'DIGITALOCEAN_TOKEN',
      make: r => `dop_v1_${draw(r, 64, HEX_CHARS)}`,
      negatives: ['dop_v1_0000000000000000000000000000000000000000000000000000000000000000']
    },
    { rule: 'digitalocean-token', key: 'DO_OAUTH_TOKEN', make: r => `doo_v1_${draw(r, 64, HEX_CHARS)}`, negatives: ['doo_v1_<token>'] }
  ]
}
