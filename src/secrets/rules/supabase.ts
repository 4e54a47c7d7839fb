// Supabase personal access tokens `sbp_` + 40 hex and secret API keys `sb_secret_`.
// https://supabase.com/docs/guides/api/api-keys
import { prefixed } from './common.js'
import { HEX_CHARS, TOKEN, TOKEN_CHARS, draw, type Family } from './types.js'

export const supabase: Family = {
  name: 'Supabase',
  source: 'https://supabase.com/docs/guides/api/api-keys',
  rules: [{ id: 'supabase-token', description: 'Supabase access token or secret key' }],
  tokens: [
    prefixed({ rule: 'supabase-token', anchors: ['sbp_'], re: /sbp_[a-f0-9]{40}/y, maxLength: 44 }),
    prefixed({ rule: 'supabase-token', anchors: ['sb_secret_'], re: /sb_secret_[A-Za-z0-9_-]{31,64}/y, maxLength: 74, tail: TOKEN })
  ],
  cases: [
    {
      rule: 'supabase-token',
      key: 'SUPABASE_ACCESS_TOKEN',
      make: r => `sbp_${draw(r, 40, HEX_CHARS)}`,
      negatives: ['sbp_0000000000000000000000000000000000000000']
    },
    { rule: 'supabase-token', key: 'SUPABASE_SECRET_KEY', make: r => `sb_secret_${draw(r, 31, TOKEN_CHARS)}`, negatives: ['sb_secret_...'] }
  ]
}
