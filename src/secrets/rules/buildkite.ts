// Buildkite API access tokens `bkua_` + 40 hex.
// https://buildkite.com/docs/apis/managing-api-tokens
import { prefixed } from './common.js'
import { HEX_CHARS, draw, type Family } from './types.js'

export const buildkite: Family = {
  name: 'Buildkite',
  source: 'https://buildkite.com/docs/apis/managing-api-tokens',
  rules: [{ id: 'buildkite-token', description: 'Buildkite API access token' }],
  tokens: [prefixed({ rule: 'buildkite-token', anchors: ['bkua_'], re: /bkua_[a-f0-9]{40}/y, maxLength: 45 })],
  cases: [
    {
      rule: 'buildkite-token',
      key: 'BUILDKITE_API_TOKEN',
      make: r => `bkua_${draw(r, 40, HEX_CHARS)}`,
      negatives: ['bkua_0000000000000000000000000000000000000000']
    }
  ]
}
