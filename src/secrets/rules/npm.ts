// npm access tokens: `npm_` + 30 random base62 + 6 base62 CRC-32, https://github.blog/changelog/2021-09-23-npm-has-a-new-access-token-format/
import { hasValidBase62Checksum } from '../checksum.js'
import { checksummed } from './github.js'
import { WORD, type Family } from './types.js'

export const npm: Family = {
  name: 'npm',
  source: 'https://docs.npmjs.com/about-access-tokens',
  rules: [{ id: 'npm-access-token', description: 'npm access token' }],
  tokens: [
    { anchors: ['npm_'], re: /npm_[A-Za-z0-9]{36}/y, maxLength: 40, rule: 'npm-access-token', lead: WORD, tail: WORD, validate: hasValidBase62Checksum }
  ],
  cases: [
    {
      rule: 'npm-access-token',
      key: 'NPM_TOKEN',
      make: r => checksummed(r, 'npm_'),
      negatives: ['npm_0000aaaa0000aaaa0000aaaa0000aaaa0000', 'npm_<your token>']
    }
  ]
}
