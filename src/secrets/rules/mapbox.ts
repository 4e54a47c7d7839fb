// Mapbox secret tokens `sk.eyJ…` (public `pk.` tokens are meant to be public).
// https://docs.mapbox.com/accounts/guides/tokens/
import { isPlaceholder, shannonEntropy } from '../values.js'
import { prefixed } from './common.js'
import { DIGITS, LOWER, TOKEN, TOKEN_CHARS, draw, type Family } from './types.js'

export const mapbox: Family = {
  name: 'Mapbox',
  source: 'https://docs.mapbox.com/accounts/guides/tokens/',
  revoke: 'https://account.mapbox.com/access-tokens/',
  rules: [{ id: 'mapbox-secret-token', description: 'Mapbox secret access token' }],
  // Under a Mapbox-named key, a secret token whatever its body looks like.
  keyed: [
    {
      key: /mapbox/,
      value: /^sk\.[A-Za-z0-9_-]{20,400}\.[A-Za-z0-9_-]{20,40}$/,
      rule: 'mapbox-secret-token',
      validate: v => shannonEntropy(v) > 4 && !isPlaceholder(v.slice(3), true)
    }
  ],
  tokens: [
    prefixed({
      rule: 'mapbox-secret-token',
      anchors: ['sk.eyJ'],
      re: /sk\.eyJ[A-Za-z0-9_-]{20,400}\.[A-Za-z0-9_-]{22}/y,
      maxLength: 430,
      tail: TOKEN,
      prefix: 3
    })
  ],
  cases: [
    {
      rule: 'mapbox-secret-token',
      key: 'MAPBOX_SECRET_TOKEN',
      make: r =>
        `sk.${Buffer.from(JSON.stringify({ u: draw(r, 8, LOWER), a: draw(r, 25, LOWER + DIGITS) })).toString('base64url')}.${draw(r, 22, TOKEN_CHARS)}`,
      negatives: ['sk.eyJ...']
    }
  ]
}
