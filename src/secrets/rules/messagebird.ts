// MessageBird (Bird) access keys: 25 alphanumerics, live or test, sent as `Authorization: AccessKey …`; counted
// under MessageBird-named keys. https://developers.messagebird.com/api/#authentication
import { isPlaceholder, shannonEntropy } from '../values.js'
import { draw, type Family } from './types.js'

export const messagebird: Family = {
  name: 'MessageBird',
  source: 'https://developers.messagebird.com/api/#authentication',
  revoke: 'https://dashboard.messagebird.com/',
  rules: [{ id: 'messagebird-access-key', description: 'MessageBird access key' }],
  keyed: [
    {
      key: /messagebird.*(?:key|token|secret)$/,
      value: /^(?:live_|test_)?[A-Za-z0-9]{25}$/,
      rule: 'messagebird-access-key',
      validate: v => shannonEntropy(v.replace(/^(?:live|test)_/, '')) > 3.3 && !isPlaceholder(v, true)
    }
  ],
  cases: [
    {
      rule: 'messagebird-access-key',
      key: 'MESSAGEBIRD_ACCESS_KEY',
      keyed: true,
      file: 'sms.ini',
      make: r => `live_${draw(r, 25)}`,
      content: v => `MESSAGEBIRD_ACCESS_KEY = ${v}`,
      negatives: ['MESSAGEBIRD_ACCESS_KEY = test_XXXXXXXXXXXXXXXXXXXXXXXXX']
    }
  ]
}
