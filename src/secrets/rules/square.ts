// Square access tokens `EAAA` + 60 and OAuth application secrets `sq0csp-` + 43.
// https://developer.squareup.com/docs/build-basics/access-tokens
import { prefixed } from './common.js'
import { ALNUM, TOKEN, TOKEN_CHARS, draw, type Family } from './types.js'

export const square: Family = {
  name: 'Square',
  source: 'https://developer.squareup.com/docs/build-basics/access-tokens',
  rules: [{ id: 'square-token', description: 'Square access token or application secret' }],
  tokens: [
    prefixed({ rule: 'square-token', anchors: ['EAAA'], re: /EAAA[A-Za-z0-9_-]{60}/y, maxLength: 64, lead: ALNUM, tail: TOKEN }),
    prefixed({ rule: 'square-token', anchors: ['sq0csp-'], re: /sq0csp-[A-Za-z0-9_-]{43}/y, maxLength: 50, tail: TOKEN })
  ],
  cases: [
    {
      rule: 'square-token',
      key: 'SQUARE_ACCESS_TOKEN',
      make: r => `EAAA${draw(r, 60, TOKEN_CHARS)}`,
      negatives: ['EAAAxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx']
    },
    { rule: 'square-token', key: 'SQUARE_APPLICATION_SECRET', make: r => `sq0csp-${draw(r, 43, TOKEN_CHARS)}`, negatives: ['sq0csp-<secret>'] }
  ]
}
