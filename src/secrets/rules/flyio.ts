// Fly.io tokens: macaroons `fm1r_` / `fm1a_` / `fm2_` + base64 (several may be joined with commas after `FlyV1 `),
// and older OAuth tokens `fo1_` + 43. https://fly.io/docs/security/tokens/
import { prefixed } from './common.js'
import { BASE64, BASE64_CHARS, TOKEN, TOKEN_CHARS, byteSet, draw, type Family } from './types.js'

const AFTER_COMMA = byteSet(`${TOKEN_CHARS},`)

export const flyio: Family = {
  name: 'Fly.io',
  source: 'https://fly.io/docs/security/tokens/',
  revoke: 'https://fly.io/docs/flyctl/tokens-revoke/',
  rules: [{ id: 'flyio-access-token', description: 'Fly.io API or deploy token' }],
  tokens: [
    prefixed({
      rule: 'flyio-access-token',
      anchors: ['fm2_', 'fm1r_', 'fm1a_'],
      re: /fm(?:2|1[ar])_[A-Za-z0-9+/]{100,3000}={0,3}/y,
      maxLength: 3008,
      prefix: 4,
      minEntropy: 4.5,
      // `FlyV1 fm2_…,fm2_…` is one token: the macaroons after a comma are reported with the first.
      lead: AFTER_COMMA,
      tail: BASE64
    }),
    prefixed({ rule: 'flyio-access-token', anchors: ['fo1_'], re: /fo1_[A-Za-z0-9_-]{43}/y, maxLength: 47, lead: TOKEN, tail: TOKEN })
  ],
  cases: [
    {
      rule: 'flyio-access-token',
      key: 'FLY_API_TOKEN',
      make: r => `FlyV1 fm2_${draw(r, 180, BASE64_CHARS)}==,fm2_${draw(r, 60, BASE64_CHARS)}`,
      raw: v => v.slice(6, 60),
      negatives: ['FLY_API_TOKEN=fm2_...', `fo1_${'x'.repeat(43)}`]
    }
  ]
}
