// Cloudflare API tokens (40 characters) and global API keys (37 hex) under Cloudflare-named keys, origin CA keys
// `v1.0-…`: https://developers.cloudflare.com/fundamentals/api/get-started/
import { isRandomHex, looksRandomSecret } from '../values.js'
import { prefixed } from './common.js'
import { ALNUM, HEX_CHARS, TOKEN_CHARS, draw, type Family } from './types.js'

export const cloudflare: Family = {
  name: 'Cloudflare',
  source: 'https://developers.cloudflare.com/fundamentals/api/get-started/',
  rules: [
    { id: 'cloudflare-api-token', description: 'Cloudflare API token' },
    { id: 'cloudflare-global-api-key', description: 'Cloudflare global API key' },
    { id: 'cloudflare-origin-ca-key', description: 'Cloudflare origin CA key' }
  ],
  keywords: ['cloudflare'],
  keyed: [
    { key: /^(?:cloudflare|cfapi|cfauth)|cloudflare/, value: /^[A-Za-z0-9_-]{40}$/, rule: 'cloudflare-api-token', validate: looksRandomSecret },
    { key: /^(?:cloudflare|cfapi|cfauth)|cloudflare/, value: /^[0-9a-f]{37}$/, rule: 'cloudflare-global-api-key', validate: isRandomHex }
  ],
  tokens: [prefixed({ rule: 'cloudflare-origin-ca-key', anchors: ['v1.0-'], re: /v1\.0-[a-f0-9]{24}-[a-f0-9]{146}/y, maxLength: 176, prefix: 5, tail: ALNUM })],
  cases: [
    {
      rule: 'cloudflare-api-token',
      key: 'CLOUDFLARE_API_TOKEN',
      keyed: true,
      file: 'deploy.sh',
      make: r => draw(r, 40, TOKEN_CHARS),
      content: v => `export CLOUDFLARE_API_TOKEN=${v}`,
      negatives: ['export CLOUDFLARE_API_TOKEN=your-cloudflare-api-token']
    },
    {
      rule: 'cloudflare-global-api-key',
      key: 'CLOUDFLARE_API_KEY',
      keyed: true,
      file: 'deploy.sh',
      make: r => draw(r, 37, HEX_CHARS),
      content: v => `CLOUDFLARE_API_KEY=${v}`,
      negatives: [`CLOUDFLARE_API_KEY=${'0'.repeat(37)}`]
    },
    {
      rule: 'cloudflare-origin-ca-key',
      key: 'CF_ORIGIN_CA_KEY',
      make: r => `v1.0-${draw(r, 24, HEX_CHARS)}-${draw(r, 146, HEX_CHARS)}`,
      negatives: [`v1.0-${'f'.repeat(24)}-${'f'.repeat(146)}`]
    }
  ]
}
