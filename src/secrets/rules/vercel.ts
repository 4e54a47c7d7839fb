// Vercel tokens with a type prefix: personal `vcp_`, integration `vci_`, app access `vca_`, refresh `vcr_`, API keys `vck_`.
// https://vercel.com/docs/rest-api#creating-an-access-token
import { prefixed } from './common.js'
import { draw, type Family } from './types.js'

export const vercel: Family = {
  name: 'Vercel',
  source: 'https://vercel.com/docs/rest-api#creating-an-access-token',
  rules: [{ id: 'vercel-token', description: 'Vercel access token' }],
  tokens: [prefixed({ rule: 'vercel-token', anchors: ['vcp_', 'vci_', 'vca_', 'vcr_', 'vck_'], re: /vc[picrk]_[A-Za-z0-9]{24,64}/y, maxLength: 68 })],
  cases: [{ rule: 'vercel-token', key: 'VERCEL_TOKEN', make: r => `vcp_${draw(r, 56)}`, negatives: ['vcp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'] }]
}
