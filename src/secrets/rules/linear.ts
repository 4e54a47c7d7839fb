// Linear personal API keys `lin_api_` + 40 alphanumerics and OAuth tokens `lin_oauth_` + 64 hex.
// https://linear.app/developers/graphql#personal-api-keys
import { prefixed } from './common.js'
import { draw, type Family } from './types.js'

export const linear: Family = {
  name: 'Linear',
  source: 'https://linear.app/developers/graphql#personal-api-keys',
  rules: [{ id: 'linear-api-key', description: 'Linear API key or OAuth token' }],
  tokens: [
    prefixed({ rule: 'linear-api-key', anchors: ['lin_api_'], re: /lin_api_[A-Za-z0-9]{40}/y, maxLength: 48 }),
    prefixed({ rule: 'linear-api-key', anchors: ['lin_oauth_'], re: /lin_oauth_[a-f0-9]{64}/y, maxLength: 74 })
  ],
  cases: [
    { rule: 'linear-api-key', key: 'LINEAR_API_KEY', make: r => `lin_api_${draw(r, 40)}`, negatives: ['lin_api_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'] }
  ]
}
