// Atlassian API tokens `ATATT`, access tokens `ATCTT` (variable length, documented as such) and Bitbucket app passwords `ATBB`.
// https://support.atlassian.com/atlassian-account/docs/manage-api-tokens-for-your-atlassian-account/
import { prefixed } from './common.js'
import { ALNUM, HEX_CHARS, TOKEN, TOKEN_CHARS, draw, type Family } from './types.js'

export const atlassian: Family = {
  name: 'Atlassian',
  source: 'https://support.atlassian.com/atlassian-account/docs/manage-api-tokens-for-your-atlassian-account/',
  rules: [
    { id: 'atlassian-api-token', description: 'Atlassian API or access token' },
    { id: 'bitbucket-app-password', description: 'Bitbucket app password' }
  ],
  tokens: [
    prefixed({ rule: 'atlassian-api-token', anchors: ['ATATT', 'ATCTT'], re: /AT[AC]TT[A-Za-z0-9_=-]{100,300}/y, maxLength: 305, tail: TOKEN, minEntropy: 4 }),
    prefixed({ rule: 'bitbucket-app-password', anchors: ['ATBB'], re: /ATBB[A-Za-z0-9]{28,40}/y, maxLength: 44, lead: ALNUM, tail: ALNUM })
  ],
  cases: [
    {
      rule: 'atlassian-api-token',
      key: 'JIRA_API_TOKEN',
      make: r => `ATATT3xFfGF0${draw(r, 160, TOKEN_CHARS)}=${draw(r, 8, HEX_CHARS).toUpperCase()}`,
      negatives: ['ATATT3xFfGF0...']
    },
    { rule: 'bitbucket-app-password', key: 'BITBUCKET_APP_PASSWORD', make: r => `ATBB${draw(r, 32)}`, negatives: ['ATBBXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'] }
  ]
}
