// AWS: access key ids `AKIA|ASIA|ABIA|ACCA` + 16 base32, secret access keys (40 base64 characters, recognised by
// their key name), session tokens. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html
import { isPlaceholder, shannonEntropy } from '../values.js'
import { randomAfter } from './common.js'
import { ALNUM, BASE32_CHARS, BASE64_CHARS, draw, type Family } from './types.js'

export const aws: Family = {
  name: 'AWS',
  source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/security-creds.html',
  rules: [
    { id: 'aws-access-key-id', description: 'AWS access key ID' },
    { id: 'aws-secret-access-key', description: 'AWS secret access key' },
    { id: 'aws-session-token', description: 'AWS session token', rank: 1 }
  ],
  tokens: [
    {
      anchors: ['AKIA', 'ASIA', 'ABIA', 'ACCA'],
      re: /(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}/y,
      maxLength: 20,
      rule: 'aws-access-key-id',
      lead: ALNUM,
      tail: ALNUM,
      // 16 random base32 characters fall under 2.5 bits about once in 100,000 draws, under 2.2 less than once in a million.
      validate: t => !t.includes('EXAMPLE') && randomAfter(4, 2.2)(t)
    }
  ],
  keyed: [
    {
      key: /secretaccesskey$/,
      value: /^[A-Za-z0-9/+]{40}$/,
      rule: 'aws-secret-access-key',
      validate: v => !isPlaceholder(v) && shannonEntropy(v) > 3.5
    },
    { key: /^aws(?:session|security)token$/, value: /^[A-Za-z0-9/+=]{100,4000}$/, rule: 'aws-session-token' }
  ],
  cases: [
    {
      rule: 'aws-access-key-id',
      key: 'AWS_ACCESS_KEY_ID',
      make: r => `AKIA${draw(r, 16, BASE32_CHARS)}`,
      negatives: [`aws_access_key_id = ${'AKIA' + 'IOSFODNN7' + 'EXAMPLE'}`, 'AKIAXXXXXXXXXXXXXXXX']
    },
    {
      rule: 'aws-secret-access-key',
      key: 'AWS_SECRET_ACCESS_KEY',
      keyed: true,
      file: 'a.ini',
      make: r => draw(r, 40, BASE64_CHARS),
      content: v => `aws_secret_access_key = ${v}`,
      negatives: [`aws_secret_access_key = ${'wJalrXUtnFEMI/K7MDENG/' + 'bPxRfiCYEXAMPLEKEY'}`]
    },
    {
      rule: 'aws-session-token',
      key: 'AWS_SESSION_TOKEN',
      keyed: true,
      file: '.aws/credentials',
      make: r => `IQo${draw(r, 297, BASE64_CHARS)}`,
      content: v => `aws_session_token = ${v}`,
      negatives: ['[default]', 'aws_session_token = <session-token>']
    }
  ]
}
