// PlanetScale passwords `pscale_pw_`, service tokens `pscale_tkn_`, OAuth tokens `pscale_oauth_`.
// https://planetscale.com/docs/concepts/service-tokens
import { prefixed, randomAfter } from './common.js'
import { TOKEN, TOKEN_CHARS, draw, type Family } from './types.js'

export const planetscale: Family = {
  name: 'PlanetScale',
  source: 'https://planetscale.com/docs/concepts/service-tokens',
  rules: [
    { id: 'planetscale-password', description: 'PlanetScale database password' },
    { id: 'planetscale-token', description: 'PlanetScale service or OAuth token' }
  ],
  tokens: [
    prefixed({
      rule: t => (t.startsWith('pscale_pw_') ? 'planetscale-password' : 'planetscale-token'),
      anchors: ['pscale_pw_', 'pscale_tkn_', 'pscale_oauth_'],
      re: /pscale_(?:pw|tkn|oauth)_[A-Za-z0-9_.-]{32,64}/y,
      maxLength: 77,
      tail: TOKEN,
      validate: t => randomAfter(t.indexOf('_', 7) + 1)(t)
    })
  ],
  cases: [
    {
      rule: 'planetscale-password',
      key: 'DATABASE_PASSWORD',
      make: r => `pscale_pw_${draw(r, 43, TOKEN_CHARS)}`,
      negatives: ['pscale_pw_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx']
    },
    {
      rule: 'planetscale-token',
      key: 'PLANETSCALE_SERVICE_TOKEN',
      make: r => `pscale_tkn_${draw(r, 43, TOKEN_CHARS)}`,
      negatives: ['pscale_tkn_<service token>']
    },
    { rule: 'planetscale-token', key: 'PLANETSCALE_OAUTH_TOKEN', make: r => `pscale_oauth_${draw(r, 43, TOKEN_CHARS)}`, negatives: ['pscale_oauth_...'] }
  ]
}
