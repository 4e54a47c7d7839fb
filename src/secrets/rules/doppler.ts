// Doppler tokens `dp.pt.` (personal), `dp.st.` (service, optionally with the config name), `dp.sa.` (service account), `dp.ct.` (CLI), `dp.scim.`, `dp.audit.`.
// https://docs.doppler.com/reference/api
import { prefixed, randomAfter } from './common.js'
import { draw, type Family } from './types.js'

export const doppler: Family = {
  name: 'Doppler',
  source: 'https://docs.doppler.com/reference/api',
  rules: [{ id: 'doppler-token', description: 'Doppler personal, service, service account or CLI token' }],
  tokens: [
    prefixed({
      rule: 'doppler-token',
      anchors: ['dp.pt.', 'dp.st.', 'dp.sa.', 'dp.ct.', 'dp.scim.', 'dp.audit.'],
      re: /dp\.(?:pt|st|sa|ct|scim|audit)\.(?:[a-z0-9_-]{2,35}\.)?[A-Za-z0-9]{40,44}/y,
      maxLength: 90,
      validate: t => randomAfter(t.lastIndexOf('.') + 1)(t)
    })
  ],
  cases: [
    { rule: 'doppler-token', key: 'DOPPLER_TOKEN', make: r => `dp.st.prd.${draw(r, 43)}`, negatives: ['dp.st.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'] },
    { rule: 'doppler-token', key: 'DOPPLER_PERSONAL_TOKEN', make: r => `dp.pt.${draw(r, 43)}`, negatives: ['dp.pt.<token>'] }
  ]
}
