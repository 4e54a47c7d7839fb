// Google: API keys `AIza` + 35 (https://cloud.google.com/docs/authentication/api-keys), OAuth client secrets
// `GOCSPX-` + 28 (https://support.google.com/cloud/answer/15549257), service account keys (a PEM `private_key`
// in JSON, reported by the private key handler).
import { prefixed } from './common.js'
import { pemBlock } from './private-keys.js'
import { TOKEN, TOKEN_CHARS, draw, type Family } from './types.js'

export const google: Family = {
  name: 'Google',
  source: 'https://cloud.google.com/docs/authentication/api-keys',
  rules: [
    { id: 'google-api-key', description: 'Google API key' },
    { id: 'google-oauth-client-secret', description: 'Google OAuth client secret' },
    { id: 'gcp-service-account-key', description: 'Google Cloud service account private key' }
  ],
  tokens: [
    prefixed({ rule: 'google-api-key', anchors: ['AIza'], re: /AIza[0-9A-Za-z_-]{35}/y, maxLength: 39, lead: TOKEN, tail: TOKEN }),
    prefixed({ rule: 'google-oauth-client-secret', anchors: ['GOCSPX-'], re: /GOCSPX-[0-9A-Za-z_-]{28}/y, maxLength: 35, lead: TOKEN, tail: TOKEN })
  ],
  cases: [
    { rule: 'google-api-key', key: 'GOOGLE_API_KEY', make: r => `AIza${draw(r, 35, TOKEN_CHARS)}`, negatives: [`AIzaSy${'X'.repeat(33)}`] },
    {
      rule: 'gcp-service-account-key',
      file: 'sa.json',
      make: r => pemBlock(r),
      content: pem => `{\n  "type": "service_account",\n  "private_key": "${pem.replace(/\n/g, '\\n')}",\n  "client_email": "x@p.iam.gserviceaccount.com"\n}`,
      line: 3,
      raw: pem => pem.split('\n')[1] ?? pem,
      negatives: ['{', '  "type": "service_account",', '  "private_key": "-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----\\n"', '}']
    },
    {
      rule: 'google-oauth-client-secret',
      key: 'GOOGLE_CLIENT_SECRET',
      make: r => `GOCSPX-${draw(r, 28, TOKEN_CHARS)}`,
      negatives: [`GOCSPX-${'x'.repeat(28)}`]
    }
  ]
}
