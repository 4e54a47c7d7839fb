// Values under secret-named keys (the reader is ../keyvalue.ts): any literal in a .env file, a random-looking
// value elsewhere, and hex / UUID / 40-hex values under key names that can only mean a credential.
import { looksRandomSecret } from '../values.js'
import { HEX_CHARS, draw, type Family, type Rand } from './types.js'

/** 32 random characters; about 1 draw in 500 looks too regular to be taken for a key, and is drawn again. */
function randomKey(r: Rand): string {
  for (;;) {
    const value = draw(r, 32)
    if (looksRandomSecret(value)) return value
  }
}

export const generic: Family = {
  name: 'Secret-named keys',
  source: 'https://12factor.net/config',
  rules: [
    { id: 'dotenv-secret', description: '.env file entry with a secret-named key and a literal value', rank: 4 },
    { id: 'generic-secret', description: 'High-entropy value assigned to a secret-named key', rank: 5 }
  ],
  cases: [
    {
      rule: 'dotenv-secret',
      file: '.env',
      make: r => draw(r, 12),
      content: v => `DB_PASSWORD=${v}`,
      negatives: ['DB_PASSWORD=changeme', 'API_TOKEN=${API_TOKEN}', 'SECRET_KEY=']
    },
    {
      rule: 'generic-secret',
      key: 'api_key',
      file: 'settings.yaml',
      make: randomKey,
      content: v => `api_key: "${v}"`,
      negatives: [
        'api_key: "your-api-key-here"',
        'secret: "${{ secrets.API_KEY }}"',
        'token: 123e4567-e89b-12d3-a456-426614174000',
        'SecretId: arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf'
      ]
    },
    {
      rule: 'generic-secret',
      key: 'SERVICE_API_KEY',
      keyed: true,
      file: 'config.ini',
      make: r => draw(r, 24, HEX_CHARS),
      content: v => `SERVICE_API_KEY = ${v}`,
      negatives: ['SERVICE_API_KEY = 0123456789abcdef0123']
    }
  ]
}
