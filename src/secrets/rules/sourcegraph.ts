// Sourcegraph access tokens: `sgp_` + (an instance id of 16 hex or `local`, `_`) + 40 hex; older tokens are 40 hex
// under Sourcegraph-named keys (`SRC_ACCESS_TOKEN`). https://sourcegraph.com/docs/cli/how-tos/creating-an-access-token
import { isKeyShaped } from '../values.js'
import { prefixed } from './common.js'
import { HEX_CHARS, draw, type Family } from './types.js'

export const sourcegraph: Family = {
  name: 'Sourcegraph',
  source: 'https://sourcegraph.com/docs/cli/how-tos/creating-an-access-token',
  revoke: 'https://sourcegraph.com/docs/cli/how-tos/revoking-an-access-token',
  rules: [{ id: 'sourcegraph-access-token', description: 'Sourcegraph access token' }],
  tokens: [
    prefixed({
      rule: 'sourcegraph-access-token',
      anchors: ['sgp_'],
      re: /sgp_(?:[a-f0-9]{16}_|local_)?[a-f0-9]{40}/y,
      maxLength: 61,
      validate: v => isKeyShaped(v.slice(-40))
    })
  ],
  keyed: [{ key: /(?:sourcegraph.*|^src)(?:token|accesstoken)$/, value: /^[a-f0-9]{40}$/, rule: 'sourcegraph-access-token', validate: isKeyShaped }],
  cases: [
    {
      rule: 'sourcegraph-access-token',
      key: 'SRC_ACCESS_TOKEN',
      make: r => `sgp_${draw(r, 16, HEX_CHARS)}_${draw(r, 40, HEX_CHARS)}`,
      negatives: [`sgp_${'0'.repeat(40)}`, 'sgp_<token>']
    },
    {
      rule: 'sourcegraph-access-token',
      key: 'SRC_ACCESS_TOKEN',
      keyed: true,
      file: 'src.ini',
      make: r => draw(r, 40, HEX_CHARS),
      content: v => `SRC_ACCESS_TOKEN = ${v}`,
      negatives: ['SRC_ENDPOINT = https://sourcegraph.example.com']
    }
  ]
}
