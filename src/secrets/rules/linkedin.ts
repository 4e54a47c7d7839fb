// LinkedIn OAuth client secrets (16 alphanumerics, shown beside the 14-character client id in the developer
// portal), under LinkedIn-named keys. https://learn.microsoft.com/en-us/linkedin/shared/authentication/client-credentials-flow
import { isPlaceholder, shannonEntropy } from '../values.js'
import { draw, type Family } from './types.js'

export const linkedin: Family = {
  name: 'LinkedIn',
  source: 'https://learn.microsoft.com/en-us/linkedin/shared/authentication/client-credentials-flow',
  revoke: 'https://www.linkedin.com/developers/apps',
  rules: [{ id: 'linkedin-client-secret', description: 'LinkedIn OAuth client secret' }],
  keyed: [
    {
      key: /linkedin.*secret$/,
      value: /^(?:WPL_AP[0-9]\.)?[A-Za-z0-9]{16}(?:\.[A-Za-z0-9+/=]{4,40})?$/,
      rule: 'linkedin-client-secret',
      // 16 random characters fall under 3 bits about once in 10,000 draws, under 2.5 less than once in a million.
      validate: v => shannonEntropy(v) > 2.5 && !isPlaceholder(v, true)
    }
  ],
  cases: [
    {
      rule: 'linkedin-client-secret',
      key: 'LINKEDIN_CLIENT_SECRET',
      keyed: true,
      file: 'oauth.ini',
      make: r => draw(r, 16),
      content: v => `LINKEDIN_CLIENT_SECRET = ${v}`,
      negatives: ['LINKEDIN_CLIENT_SECRET = XXXXXXXXXXXXXXXX', 'LINKEDIN_CLIENT_ID = 86abcdefghij12']
    }
  ]
}
