// JFrog API keys `AKCp` + 69 characters and reference tokens `cmVmdGtu` (base64 of "reftkn") + 56.
// https://jfrog.com/help/r/jfrog-platform-administration-documentation/access-tokens
import { isPlaceholder, shannonEntropy } from '../values.js'
import { prefixed } from './common.js'
import { ALNUM, draw, type Family } from './types.js'

export const jfrog: Family = {
  name: 'JFrog',
  source: 'https://jfrog.com/help/r/jfrog-platform-administration-documentation/access-tokens',
  revoke: 'https://jfrog.com/help/r/jfrog-platform-administration-documentation/access-tokens',
  rules: [
    { id: 'jfrog-api-key', description: 'JFrog API key' },
    { id: 'jfrog-reference-token', description: 'JFrog reference token' },
    { id: 'jfrog-identity-token', description: 'JFrog identity token' }
  ],
  keyed: [
    {
      key: /(?:jfrog|artifactory).*(?:token|apikey|key|password)$/,
      value: /^[A-Za-z0-9]{64}$/,
      rule: 'jfrog-identity-token',
      validate: v => !v.startsWith('cmVmdGtu') && shannonEntropy(v) > 4 && !isPlaceholder(v, true)
    }
  ],
  tokens: [
    prefixed({ rule: 'jfrog-api-key', anchors: ['AKCp'], re: /AKCp[A-Za-z0-9]{69}/y, maxLength: 73, lead: ALNUM, tail: ALNUM }),
    prefixed({ rule: 'jfrog-reference-token', anchors: ['cmVmdGtu'], re: /cmVmdGtu[A-Za-z0-9]{56}/y, maxLength: 64, lead: ALNUM, tail: ALNUM })
  ],
  cases: [
    {
      rule: 'jfrog-api-key',
      key: 'ARTIFACTORY_API_KEY',
      make: r => `AKCp${draw(r, 69)}`,
      negatives: ['AKCpXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX']
    },
    { rule: 'jfrog-reference-token', key: 'JFROG_ACCESS_TOKEN', make: r => `cmVmdGtu${draw(r, 56)}`, negatives: ['cmVmdGtu...'] },
    {
      rule: 'jfrog-identity-token',
      key: 'JFROG_IDENTITY_TOKEN',
      keyed: true,
      file: 'jfrog.ini',
      make: r => draw(r, 64),
      content: v => `JFROG_IDENTITY_TOKEN = ${v}`,
      negatives: ['JFROG_URL = https://acme.jfrog.io/artifactory']
    }
  ]
}
