// Dropbox access tokens: short-lived `sl.` (and `sl.u.`) tokens, long-lived 64-character tokens (11 + ten `A` + 43)
// under Dropbox-named keys, and app secrets (15 lower-case alphanumerics). https://developers.dropbox.com/oauth-guide
import { isPlaceholder, shannonEntropy } from '../values.js'
import { prefixed } from './common.js'
import { BEFORE_VALUE, DIGITS, runOf, LOWER, TOKEN, TOKEN_CHARS, draw, type Family } from './types.js'

export const dropbox: Family = {
  name: 'Dropbox',
  source: 'https://developers.dropbox.com/oauth-guide',
  revoke: 'https://www.dropbox.com/developers/apps',
  rules: [
    { id: 'dropbox-access-token', description: 'Dropbox access token' },
    { id: 'dropbox-app-secret', description: 'Dropbox app secret' }
  ],
  tokens: [
    prefixed({
      rule: 'dropbox-access-token',
      anchors: ['sl.'],
      before: BEFORE_VALUE,
      quick: (buf, pos, end) => runOf(TOKEN, buf, pos + 5, Math.min(end, pos + 130)) === 125,
      re: /sl\.(?:u\.)?[A-Za-z0-9_-]{130,1500}/y,
      maxLength: 1505,
      prefix: 3,
      minEntropy: 4.5,
      lead: TOKEN,
      tail: TOKEN
    })
  ],
  keyed: [
    { key: /dropbox/, value: /^[A-Za-z0-9_-]{11}AAAAAAAAAA[A-Za-z0-9_-]{43}$/, rule: 'dropbox-access-token', validate: v => shannonEntropy(v) > 4 },
    { key: /dropbox.*secret$/, value: /^[a-z0-9]{15}$/, rule: 'dropbox-app-secret', validate: v => shannonEntropy(v) > 2.25 && !isPlaceholder(v, true) }
  ],
  cases: [
    {
      rule: 'dropbox-access-token',
      key: 'DROPBOX_ACCESS_TOKEN',
      make: r => `sl.${draw(r, 140, TOKEN_CHARS)}`,
      negatives: ['sl.BxXXXXXXXXXXXXXXXX', 'see sl.u.<token>']
    },
    {
      rule: 'dropbox-app-secret',
      key: 'DROPBOX_APP_SECRET',
      keyed: true,
      file: 'dropbox.ini',
      make: r => draw(r, 15, LOWER + DIGITS),
      content: v => `DROPBOX_APP_SECRET = ${v}`,
      negatives: ['DROPBOX_APP_SECRET = yourappsecret1']
    }
  ]
}
