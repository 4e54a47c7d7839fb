// Facebook (Meta) access tokens `EAA…` (user, page and system-user tokens), app access tokens `<app id>|<app secret>`,
// and app secrets (32 hex) under Facebook-named keys. https://developers.facebook.com/docs/facebook-login/guides/access-tokens
import { isKeyShaped } from '../values.js'
import { prefixed } from './common.js'
import { ALNUM, BEFORE_VALUE, runOf, DIGITS, HEX_CHARS, UPPER, draw, type Family } from './types.js'

export const facebook: Family = {
  name: 'Facebook',
  source: 'https://developers.facebook.com/docs/facebook-login/guides/access-tokens',
  revoke: 'https://developers.facebook.com/apps',
  rules: [
    { id: 'facebook-access-token', description: 'Facebook access token' },
    { id: 'facebook-app-secret', description: 'Facebook app secret' }
  ],
  tokens: [
    prefixed({
      rule: 'facebook-access-token',
      anchors: ['EAA'],
      before: BEFORE_VALUE,
      quick: (buf, pos, end) => runOf(ALNUM, buf, pos + 3, Math.min(end, pos + 93)) === 90,
      re: /EAA[A-Za-z0-9]{90,400}/y,
      maxLength: 404,
      prefix: 4,
      minEntropy: 4.5,
      lead: ALNUM,
      tail: ALNUM
    })
  ],
  keyed: [
    { key: /(?:facebook|^fb).*(?:secret|appsecret)$/, value: /^[a-f0-9]{32}$/, rule: 'facebook-app-secret', validate: isKeyShaped },
    { key: /(?:facebook|^fb).*token$/, value: /^[0-9]{15,16}\|[a-f0-9]{32}$/, rule: 'facebook-access-token', validate: v => isKeyShaped(v.slice(-32)) }
  ],
  cases: [
    { rule: 'facebook-access-token', key: 'FB_PAGE_ACCESS_TOKEN', make: r => `EAA${draw(r, 1, UPPER)}${draw(r, 170)}`, negatives: [`EAAB${'x'.repeat(120)}`] },
    {
      rule: 'facebook-app-secret',
      key: 'FACEBOOK_APP_SECRET',
      keyed: true,
      file: 'fb.ini',
      make: r => draw(r, 32, HEX_CHARS),
      content: v => `FACEBOOK_APP_SECRET = ${v}`,
      negatives: ['FACEBOOK_APP_ID = 1234567890123456']
    },
    {
      rule: 'facebook-access-token',
      key: 'FACEBOOK_APP_TOKEN',
      keyed: true,
      file: 'fb.ini',
      make: r => `1${draw(r, 14, DIGITS)}|${draw(r, 32, HEX_CHARS)}`,
      content: v => `FACEBOOK_APP_TOKEN = ${v}`,
      negatives: ['FACEBOOK_APP_TOKEN = 123456789012345|<app-secret>']
    }
  ]
}
