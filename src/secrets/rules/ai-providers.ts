// AI API keys with a fixed prefix: Groq `gsk_` + 52, xAI `xai-` + 80, Perplexity `pplx-` + 48, Replicate `r8_` + 37.
// https://console.groq.com/docs/api-keys
import { prefixed } from './common.js'
import { BEFORE_TOKEN, TOKEN, draw, type Family } from './types.js'

export const aiProviders: Family = {
  name: 'AI APIs',
  source: 'https://console.groq.com/docs/api-keys',
  rules: [
    { id: 'groq-api-key', description: 'Groq API key' },
    { id: 'xai-api-key', description: 'xAI API key' },
    { id: 'perplexity-api-key', description: 'Perplexity API key' },
    { id: 'replicate-api-token', description: 'Replicate API token' }
  ],
  tokens: [
    prefixed({ rule: 'groq-api-key', anchors: ['gsk_'], re: /gsk_[A-Za-z0-9]{52}/y, maxLength: 56 }),
    prefixed({ rule: 'xai-api-key', anchors: ['xai-'], re: /xai-[A-Za-z0-9]{80}/y, maxLength: 84, lead: TOKEN }),
    prefixed({ rule: 'perplexity-api-key', anchors: ['pplx-'], re: /pplx-[A-Za-z0-9]{48}/y, maxLength: 53, lead: TOKEN }),
    prefixed({ rule: 'replicate-api-token', anchors: ['r8_'], re: /r8_[A-Za-z0-9]{37}/y, maxLength: 40, lead: TOKEN, before: BEFORE_TOKEN })
  ],
  cases: [
    { rule: 'groq-api-key', key: 'GROQ_API_KEY', make: r => `gsk_${draw(r, 52)}`, negatives: ['gsk_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'] },
    { rule: 'xai-api-key', key: 'XAI_API_KEY', make: r => `xai-${draw(r, 80)}`, negatives: ['xai-...'] },
    {
      rule: 'perplexity-api-key',
      key: 'PERPLEXITY_API_KEY',
      make: r => `pplx-${draw(r, 48)}`,
      negatives: ['pplx-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx']
    },
    { rule: 'replicate-api-token', key: 'REPLICATE_API_TOKEN', make: r => `r8_${draw(r, 37)}`, negatives: ['r8_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'] }
  ]
}
