// GitHub tokens: https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/
// `gh[pousr]_` + 30 random base62 + 6 base62 of their CRC-32; fine-grained `github_pat_` + 22 + `_` + 59.
import { base62, crc32, hasValidBase62Checksum } from '../checksum.js'
import { isKeyShaped } from '../values.js'
import { randomAfter } from './common.js'
import { HEX_CHARS, draw, WORD, type Family, type Rand } from './types.js'

/** `<prefix>` + 30 random base62 + the base62 CRC-32 of those 30 (GitHub's and npm's format). */
export function checksummed(r: Rand, prefix: string): string {
  const body = draw(r, 30)
  return `${prefix}${body}${base62(crc32(body), 6)}`
}

/** The same shape with a wrong checksum: what documentation and typos look like. */
export function badChecksum(r: Rand, prefix: string): string {
  const token = checksummed(r, prefix)
  return token.slice(0, -1) + (token.at(-1) === 'A' ? 'B' : 'A')
}

const KIND: Record<string, string> = { ghp_: 'github-classic-token', gho_: 'github-oauth-token', ghr_: 'github-refresh-token' }

export const github: Family = {
  name: 'GitHub',
  source: 'https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/about-authentication-to-github#githubs-token-formats',
  revoke: 'https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/token-expiration-and-revocation',
  rules: [
    { id: 'github-classic-token', description: 'GitHub personal access token (classic)' },
    { id: 'github-oauth-token', description: 'GitHub OAuth access token' },
    { id: 'github-app-token', description: 'GitHub App user-to-server or installation token' },
    { id: 'github-refresh-token', description: 'GitHub refresh token' },
    { id: 'github-fine-grained-token', description: 'GitHub fine-grained personal access token' }
  ],
  // Tokens made before April 2021: 40 hex, recognisable only under a GitHub-named key.
  keyed: [{ key: /(?:github|^gh).*(?:token|pat)$/, value: /^[a-f0-9]{40}$/, rule: 'github-classic-token', validate: isKeyShaped }],
  tokens: [
    {
      anchors: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
      re: /gh[pousr]_[A-Za-z0-9]{36}/y,
      maxLength: 40,
      rule: t => KIND[t.slice(0, 4)] ?? 'github-app-token',
      lead: WORD,
      tail: WORD,
      validate: hasValidBase62Checksum
    },
    {
      anchors: ['github_pat_'],
      re: /github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}/y,
      maxLength: 93,
      rule: 'github-fine-grained-token',
      lead: WORD,
      tail: WORD,
      validate: randomAfter(11)
    }
  ],
  cases: [
    {
      rule: 'github-classic-token',
      key: 'GITHUB_TOKEN',
      make: r => checksummed(r, 'ghp_'),
      negatives: [`a ghp_${'x'.repeat(36)}`, 'ghp_000000000000000000000000000000000000']
    },
    { rule: 'github-oauth-token', key: 'GH_OAUTH_TOKEN', make: r => checksummed(r, 'gho_'), negatives: ['gho_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij'] },
    { rule: 'github-app-token', key: 'GH_APP_TOKEN', make: r => checksummed(r, 'ghs_'), negatives: ['ghu_<token>'] },
    { rule: 'github-refresh-token', key: 'GH_REFRESH_TOKEN', make: r => checksummed(r, 'ghr_'), negatives: ['ghr_...'] },
    {
      rule: 'github-fine-grained-token',
      key: 'GITHUB_PAT',
      make: r => `github_pat_${draw(r, 22)}_${draw(r, 59)}`,
      negatives: [`github_pat_${'X'.repeat(22)}_${'X'.repeat(59)}`]
    },
    {
      rule: 'github-classic-token',
      key: 'GITHUB_TOKEN',
      keyed: true,
      file: 'ci.ini',
      make: r => draw(r, 40, HEX_CHARS),
      content: v => `GITHUB_TOKEN = ${v}`,
      negatives: ['GITHUB_SHA = 0123456789abcdef0123456789abcdef01234567', 'GITHUB_TOKEN = 0000000000000000000000000000000000000000']
    }
  ]
}
