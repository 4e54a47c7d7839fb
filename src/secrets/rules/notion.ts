// Notion integration tokens `ntn_` + 11 digits + 35 alphanumerics.
// https://developers.notion.com/docs/authorization
import { prefixed } from './common.js'
import { DIGITS, draw, type Family } from './types.js'

export const notion: Family = {
  name: 'Notion',
  source: 'https://developers.notion.com/docs/authorization',
  rules: [{ id: 'notion-token', description: 'Notion integration token' }],
  tokens: [prefixed({ rule: 'notion-token', anchors: ['ntn_'], re: /ntn_[0-9]{11}[A-Za-z0-9]{35}/y, maxLength: 50 })],
  cases: [
    {
      rule: 'notion-token',
      key: 'NOTION_TOKEN',
      make: r => `ntn_${draw(r, 11, DIGITS)}${draw(r, 35)}`,
      negatives: ['ntn_00000000000xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx']
    }
  ]
}
