// Docker Hub personal and organization access tokens `dckr_pat_`, `dckr_oat_`: https://docs.docker.com/security/for-developers/access-tokens/
import { prefixed } from './common.js'
import { TOKEN, TOKEN_CHARS, draw, type Family } from './types.js'

export const docker: Family = {
  name: 'Docker Hub',
  source: 'https://docs.docker.com/security/for-developers/access-tokens/',
  rules: [{ id: 'dockerhub-token', description: 'Docker Hub personal or organization access token' }],
  tokens: [
    prefixed({ rule: 'dockerhub-token', anchors: ['dckr_pat_', 'dckr_oat_'], re: /dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,40}/y, maxLength: 49, tail: TOKEN })
  ],
  cases: [{ rule: 'dockerhub-token', key: 'DOCKERHUB_TOKEN', make: r => `dckr_pat_${draw(r, 27, TOKEN_CHARS)}`, negatives: [`dckr_pat_${'X'.repeat(27)}`] }]
}
