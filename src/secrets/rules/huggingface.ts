// Hugging Face user access tokens `hf_` + 34 letters: https://huggingface.co/docs/hub/security-tokens
import { prefixed } from './common.js'
import { ALNUM, LOWER, NOT_TOKEN, TOKEN, UPPER, draw, type Family } from './types.js'

export const huggingface: Family = {
  name: 'Hugging Face',
  source: 'https://huggingface.co/docs/hub/security-tokens',
  rules: [{ id: 'huggingface-token', description: 'Hugging Face access token' }],
  tokens: [
    prefixed({
      rule: 'huggingface-token',
      anchors: ['hf_'],
      before: NOT_TOKEN,
      re: /hf_[A-Za-z]{34}/y,
      maxLength: 37,
      lead: TOKEN,
      tail: ALNUM,
      minEntropy: 3.8
    })
  ],
  cases: [{ rule: 'huggingface-token', key: 'HF_TOKEN', make: r => `hf_${draw(r, 34, UPPER + LOWER)}`, negatives: [`HF_TOKEN=hf_${'x'.repeat(34)}`] }]
}
