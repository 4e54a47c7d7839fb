// Shopify access tokens `shpat_`, shared secrets `shpss_`, private app passwords `shppa_`, custom app tokens `shpca_`: prefix + 32 hex.
// https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens
import { prefixed } from './common.js'
import { HEX_CHARS, draw, type Family } from './types.js'

export const shopify: Family = {
  name: 'Shopify',
  source: 'https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens',
  rules: [{ id: 'shopify-token', description: 'Shopify access token, shared secret or app password' }],
  tokens: [prefixed({ rule: 'shopify-token', anchors: ['shpat_', 'shpss_', 'shppa_', 'shpca_'], re: /shp(?:at|ss|pa|ca)_[a-fA-F0-9]{32}/y, maxLength: 38 })],
  cases: [
    { rule: 'shopify-token', key: 'SHOPIFY_ACCESS_TOKEN', make: r => `shpat_${draw(r, 32, HEX_CHARS)}`, negatives: ['shpat_00000000000000000000000000000000'] },
    { rule: 'shopify-token', key: 'SHOPIFY_API_SECRET', make: r => `shpss_${draw(r, 32, HEX_CHARS)}`, negatives: ['shpss_<secret>'] }
  ]
}
