// Twitter / X API credentials: app-only bearer tokens (a run of `A` then URL-encoded base64), and under
// Twitter-named keys the API key (25), API secret (50), access token (`<user id>-<random>`) and its secret (45).
// https://developer.x.com/en/docs/authentication/oauth-2-0/bearer-tokens
import { isPlaceholder, shannonEntropy } from '../values.js'
import { prefixed } from './common.js'
import { ALNUM, DIGITS, draw, type Family } from './types.js'

const random = (v: string): boolean => shannonEntropy(v) > 3.5 && !isPlaceholder(v, true)

export const twitter: Family = {
  name: 'Twitter/X',
  source: 'https://developer.x.com/en/docs/authentication/oauth-2-0/bearer-tokens',
  revoke: 'https://developer.x.com/en/portal/dashboard',
  rules: [
    { id: 'twitter-bearer-token', description: 'Twitter / X app-only bearer token' },
    { id: 'twitter-api-secret', description: 'Twitter / X API secret or access token secret' },
    { id: 'twitter-access-token', description: 'Twitter / X user access token' },
    { id: 'twitter-api-key', description: 'Twitter / X API key (consumer key)' }
  ],
  tokens: [
    prefixed({
      rule: 'twitter-bearer-token',
      anchors: ['AAAAAAAAAAAAAAAAAAAAA'],
      re: /A{21,24}[A-Za-z0-9%]{60,180}/y,
      maxLength: 204,
      lead: ALNUM,
      tail: ALNUM,
      validate: v => random(v.replace(/^A+/, ''))
    })
  ],
  keyed: [
    {
      key: /(?:twitter|^x)(?:api|consumer|accesstoken)?(?:secret|secretkey|apisecret|consumersecret|tokensecret)$/,
      value: /^[A-Za-z0-9]{35,50}$/,
      rule: 'twitter-api-secret',
      validate: random
    },
    {
      key: /(?:twitter|^x).*accesstoken$/,
      value: /^[0-9]{1,20}-[A-Za-z0-9]{20,50}$/,
      rule: 'twitter-access-token',
      validate: v => random(v.slice(v.indexOf('-') + 1))
    },
    { key: /(?:twitter|^x)(?:api|consumer)key$/, value: /^[A-Za-z0-9]{18,30}$/, rule: 'twitter-api-key', validate: random }
  ],
  cases: [
    {
      rule: 'twitter-bearer-token',
      key: 'TWITTER_BEARER_TOKEN',
      make: r => `${'A'.repeat(22)}${draw(r, 20)}%2F${draw(r, 60)}`,
      negatives: ['AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']
    },
    {
      rule: 'twitter-api-secret',
      key: 'TWITTER_API_SECRET',
      keyed: true,
      file: 'bot.ini',
      make: r => draw(r, 50),
      content: v => `TWITTER_API_SECRET = ${v}`,
      negatives: ['TWITTER_API_SECRET = your_api_secret_here']
    },
    {
      rule: 'twitter-access-token',
      key: 'TWITTER_ACCESS_TOKEN',
      keyed: true,
      file: 'bot.ini',
      make: r => `1${draw(r, 17, DIGITS)}-${draw(r, 40)}`,
      content: v => `TWITTER_ACCESS_TOKEN = ${v}`,
      negatives: ['TWITTER_ACCESS_TOKEN = 1234567890-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX']
    },
    {
      rule: 'twitter-api-key',
      key: 'TWITTER_API_KEY',
      keyed: true,
      file: 'bot.ini',
      make: r => draw(r, 25),
      content: v => `TWITTER_API_KEY = ${v}`,
      negatives: ['TWITTER_API_KEY = <consumer key>']
    }
  ]
}
