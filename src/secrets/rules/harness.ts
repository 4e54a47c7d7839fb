// Harness personal access tokens `pat.<account>.<id>.<secret>` and service account tokens `sat.…`.
// https://developer.harness.io/docs/platform/automation/api/add-and-manage-api-keys
import { prefixed, randomAfter } from './common.js'
import { HEX_CHARS, TOKEN_CHARS, draw, type Family } from './types.js'

export const harness: Family = {
  name: 'Harness',
  source: 'https://developer.harness.io/docs/platform/automation/api/add-and-manage-api-keys',
  rules: [{ id: 'harness-token', description: 'Harness personal access or service account token' }],
  tokens: [
    prefixed({
      rule: 'harness-token',
      anchors: ['pat.', 'sat.'],
      re: /[ps]at\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}/y,
      maxLength: 72,
      validate: t => randomAfter(t.lastIndexOf('.') + 1)(t)
    })
  ],
  cases: [
    {
      rule: 'harness-token',
      key: 'HARNESS_API_KEY',
      make: r => `pat.${draw(r, 22, TOKEN_CHARS)}.${draw(r, 24, HEX_CHARS)}.${draw(r, 20)}`,
      negatives: ['pat.ACCOUNT_ID.TOKEN_ID.SECRET']
    }
  ]
}
