// SettleMint personal, application and service access tokens `sm_pat_`, `sm_aat_`, `sm_sat_`.
// https://console.settlemint.com/documentation/platform-components/security-and-authentication/personal-access-tokens
import { prefixed } from './common.js'
import { draw, type Family } from './types.js'

export const settlemint: Family = {
  name: 'SettleMint',
  source: 'https://console.settlemint.com/documentation/platform-components/security-and-authentication/personal-access-tokens',
  rules: [{ id: 'settlemint-token', description: 'SettleMint access token' }],
  tokens: [
    prefixed({
      rule: 'settlemint-token',
      anchors: ['sm_pat_', 'sm_aat_', 'sm_sat_'],
      re: /sm_(?:pat|aat|sat)_[a-zA-Z0-9]{16}/y,
      maxLength: 23,
      minEntropy: 2.5
    })
  ],
  cases: [{ rule: 'settlemint-token', key: 'SETTLEMINT_ACCESS_TOKEN', make: r => `sm_pat_${draw(r, 16)}`, negatives: ['sm_pat_xxxxxxxxxxxxxxxx'] }]
}
