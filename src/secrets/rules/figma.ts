// Figma personal access tokens `figd_`.
// https://www.figma.com/developers/api#access-tokens
import { prefixed } from './common.js'
import { TOKEN, TOKEN_CHARS, draw, type Family } from './types.js'

export const figma: Family = {
  name: 'Figma',
  source: 'https://www.figma.com/developers/api#access-tokens',
  rules: [{ id: 'figma-token', description: 'Figma personal access token' }],
  tokens: [prefixed({ rule: 'figma-token', anchors: ['figd_'], re: /figd_[A-Za-z0-9_-]{38,44}/y, maxLength: 49, tail: TOKEN })],
  cases: [
    { rule: 'figma-token', key: 'FIGMA_TOKEN', make: r => `figd_${draw(r, 40, TOKEN_CHARS)}`, negatives: ['figd_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'] }
  ]
}
