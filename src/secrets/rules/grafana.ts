// Grafana service account tokens `glsa_` + 32 + `_` + 8 hex (https://grafana.com/docs/grafana/latest/administration/service-accounts/)
// and Grafana Cloud access policy tokens `glc_` + base64 JSON (https://grafana.com/docs/grafana-cloud/security-and-account-management/authentication-and-permissions/access-policies/).
import { prefixed } from './common.js'
import { ALNUM_CHARS, BASE64, HEX_CHARS, draw, type Family } from './types.js'

export const grafana: Family = {
  name: 'Grafana',
  source: 'https://grafana.com/docs/grafana/latest/administration/service-accounts/',
  rules: [
    { id: 'grafana-service-account-token', description: 'Grafana service account token' },
    { id: 'grafana-cloud-token', description: 'Grafana Cloud access policy token' }
  ],
  tokens: [
    prefixed({ rule: 'grafana-service-account-token', anchors: ['glsa_'], re: /glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}/y, maxLength: 46 }),
    prefixed({ rule: 'grafana-cloud-token', anchors: ['glc_eyJ'], re: /glc_eyJ[A-Za-z0-9+/]{29,400}={0,2}/y, maxLength: 410, prefix: 4, tail: BASE64 })
  ],
  cases: [
    {
      rule: 'grafana-service-account-token',
      key: 'GRAFANA_TOKEN',
      make: r => `glsa_${draw(r, 32)}_${draw(r, 8, HEX_CHARS)}`,
      negatives: [`glsa_${'x'.repeat(32)}_${'0'.repeat(8)}`]
    },
    {
      rule: 'grafana-cloud-token',
      key: 'GRAFANA_CLOUD_TOKEN',
      make: r =>
        `glc_${Buffer.from(JSON.stringify({ o: '123456', n: 'stack', k: draw(r, 24, ALNUM_CHARS), m: { r: 'prod-eu' } }))
          .toString('base64')
          .replace(/=+$/, '')}`,
      negatives: [`glc_eyJ${'x'.repeat(40)}`]
    }
  ]
}
