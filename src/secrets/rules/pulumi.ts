// Pulumi access tokens `pul-` + 40 hex.
// https://www.pulumi.com/docs/pulumi-cloud/access-management/access-tokens/
import { prefixed } from './common.js'
import { ALNUM, HEX_CHARS, TOKEN, draw, type Family } from './types.js'

export const pulumi: Family = {
  name: 'Pulumi',
  source: 'https://www.pulumi.com/docs/pulumi-cloud/access-management/access-tokens/',
  rules: [{ id: 'pulumi-token', description: 'Pulumi access token' }],
  tokens: [prefixed({ rule: 'pulumi-token', anchors: ['pul-'], re: /pul-[a-f0-9]{40}/y, maxLength: 44, lead: TOKEN, tail: ALNUM })],
  cases: [
    {
      rule: 'pulumi-token',
      key: 'PULUMI_ACCESS_TOKEN',
      make: r => `pul-${draw(r, 40, HEX_CHARS)}`,
      negatives: ['pul-0000000000000000000000000000000000000000']
    }
  ]
}
