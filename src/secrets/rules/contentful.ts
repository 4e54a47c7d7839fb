// Contentful personal access tokens `CFPAT-` + 43.
// https://www.contentful.com/developers/docs/references/authentication/
import { prefixed } from './common.js'
import { TOKEN, TOKEN_CHARS, draw, type Family } from './types.js'

export const contentful: Family = {
  name: 'Contentful',
  source: 'https://www.contentful.com/developers/docs/references/authentication/',
  rules: [{ id: 'contentful-token', description: 'Contentful personal access token' }],
  tokens: [prefixed({ rule: 'contentful-token', anchors: ['CFPAT-'], re: /CFPAT-[A-Za-z0-9_-]{43}/y, maxLength: 49, tail: TOKEN })],
  cases: [
    {
      rule: 'contentful-token',
      key: 'CONTENTFUL_MANAGEMENT_TOKEN',
      make: r => `CFPAT-${draw(r, 43, TOKEN_CHARS)}`,
      negatives: ['CFPAT-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx']
    }
  ]
}
