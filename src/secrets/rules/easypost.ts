// EasyPost API keys: production `EZAK` and test `EZTK` + 54 alphanumerics. https://docs.easypost.com/docs/authentication
import { prefixed } from './common.js'
import { ALNUM, HEX_CHARS, draw, type Family } from './types.js'

export const easypost: Family = {
  name: 'EasyPost',
  source: 'https://docs.easypost.com/docs/authentication',
  revoke: 'https://www.easypost.com/account/settings',
  rules: [{ id: 'easypost-api-key', description: 'EasyPost API key (production EZAK or test EZTK)' }],
  tokens: [prefixed({ rule: 'easypost-api-key', anchors: ['EZAK', 'EZTK'], re: /EZ[AT]K[A-Za-z0-9]{54}/y, maxLength: 58, lead: ALNUM, tail: ALNUM })],
  cases: [
    {
      rule: 'easypost-api-key',
      key: 'EASYPOST_API_KEY',
      make: r => `EZAK${draw(r, 54, HEX_CHARS)}`,
      negatives: [`EZAK${'x'.repeat(54)}`, 'EZTK<your test key>']
    }
  ]
}
