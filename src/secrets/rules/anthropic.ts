// Anthropic API keys `sk-ant-api03-…AA` and admin keys `sk-ant-admin01-…AA`: https://docs.anthropic.com/en/api/overview
import { prefixed } from './common.js'
import { TOKEN, TOKEN_CHARS, draw, type Family } from './types.js'

export const anthropic: Family = {
  name: 'Anthropic',
  source: 'https://docs.anthropic.com/en/api/overview',
  rules: [{ id: 'anthropic-api-key', description: 'Anthropic API key' }],
  tokens: [
    prefixed({
      rule: 'anthropic-api-key',
      anchors: ['sk-ant-'],
      re: /sk-ant-(?:api03|admin01)-[A-Za-z0-9_-]{80,120}AA/y,
      maxLength: 140,
      prefix: 14,
      tail: TOKEN
    })
  ],
  cases: [
    {
      rule: 'anthropic-api-key',
      key: 'ANTHROPIC_API_KEY',
      make: r => `sk-ant-api03-${draw(r, 93, TOKEN_CHARS)}AA`,
      negatives: ['ANTHROPIC_API_KEY=sk-ant-api03-...']
    },
    { rule: 'anthropic-api-key', key: 'ANTHROPIC_ADMIN_KEY', make: r => `sk-ant-admin01-${draw(r, 93, TOKEN_CHARS)}AA`, negatives: ['sk-ant-admin01-<key>'] }
  ]
}
