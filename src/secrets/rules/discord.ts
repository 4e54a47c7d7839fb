// Discord: bot tokens (base64 of the bot's numeric id . 6 . 27+; the id part decodes to the 17-20 digit snowflake),
// client secrets (32) under Discord-named keys, and webhook URLs (id + 68-character token).
// https://discord.com/developers/docs/reference#authentication
import { isPlaceholder, shannonEntropy } from '../values.js'
import { BEFORE_VALUE, DIGITS, TOKEN, TOKEN_CHARS, runOf, draw, type Family, type Rand, type TokenSpec } from './types.js'

const BOT = /[MNO][A-Za-z0-9_-]{22,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}/

/** The first part decodes to a snowflake id and the last is random: a bot token, not three words and dots. */
export function isBotToken(token: string): boolean {
  const [id, , hmac] = token.split('.')
  if (id === undefined || hmac === undefined) return false
  return /^[1-9][0-9]{16,19}$/.test(Buffer.from(id, 'base64url').toString('latin1')) && shannonEntropy(hmac) > 3.8 && !isPlaceholder(hmac, true)
}

// Ids since 2022 start with 1: base64 `MT` + a letter that encodes the second digit. Older ids are found by key.
const botToken: TokenSpec = {
  anchors: ['MTA', 'MTE', 'MTI', 'MTM', 'MTQ', 'MTU', 'MTY', 'MTc', 'MTg', 'MTk'],
  before: BEFORE_VALUE,
  re: /MT[A-Za-z0-9_-]{21,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}/y,
  maxLength: 73,
  rule: 'discord-bot-token',
  // The id part is 23 to 27 characters: a dot must follow within them.
  quick: (buf, pos, end) => {
    const run = runOf(TOKEN, buf, pos, Math.min(end, pos + 28))
    return run >= 23 && run <= 27 && buf[pos + run] === 46
  },
  lead: TOKEN,
  tail: TOKEN,
  validate: isBotToken
}

export const makeBotToken = (r: Rand): string =>
  `${Buffer.from(`1${draw(r, 18, DIGITS)}`).toString('base64url')}.${draw(r, 6, TOKEN_CHARS)}.${draw(r, 38, TOKEN_CHARS)}`

export const discord: Family = {
  name: 'Discord',
  source: 'https://discord.com/developers/docs/reference#authentication',
  revoke: 'https://discord.com/developers/applications',
  rules: [
    { id: 'discord-bot-token', description: 'Discord bot token' },
    { id: 'discord-client-secret', description: 'Discord OAuth client secret' },
    { id: 'discord-webhook-url', description: 'Discord webhook URL (its token posts to the channel)' }
  ],
  tokens: [
    botToken,
    {
      // Anchored after the host: `discord.com` starts with letter pairs common in text.
      anchors: ['api/webhooks/'],
      quick: (buf, pos) => /discord(?:app)?\.com\/$/.test(buf.toString('latin1', Math.max(0, pos - 15), pos)),
      re: /api\/webhooks\/[0-9]{17,20}\/([A-Za-z0-9_-]{60,80})/y,
      maxLength: 115,
      rule: 'discord-webhook-url',
      group: 1,
      lead: new Uint8Array(256),
      tail: TOKEN,
      validate: v => shannonEntropy(v) > 4 && !isPlaceholder(v, true)
    }
  ],
  keyed: [
    { key: /discord/, value: new RegExp(`^${BOT.source}$`), rule: 'discord-bot-token', validate: isBotToken },
    { key: /discord.*secret$/, value: /^[A-Za-z0-9_-]{32}$/, rule: 'discord-client-secret', validate: v => shannonEntropy(v) > 3.8 && !isPlaceholder(v, true) }
  ],
  cases: [
    {
      rule: 'discord-bot-token',
      key: 'DISCORD_BOT_TOKEN',
      make: makeBotToken,
      negatives: ['MTAxxxxxxxxxxxxxxxxxxxxxxx.xxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.your-bot-token-goes-here-abcdefgh']
    },
    {
      rule: 'discord-client-secret',
      key: 'DISCORD_CLIENT_SECRET',
      keyed: true,
      file: 'discord.ini',
      make: r => draw(r, 32, TOKEN_CHARS),
      content: v => `DISCORD_CLIENT_SECRET = ${v}`,
      negatives: ['DISCORD_CLIENT_ID = 123456789012345678']
    },
    {
      rule: 'discord-webhook-url',
      file: 'notify.sh',
      make: r => draw(r, 68, TOKEN_CHARS),
      content: v => `curl -X POST https://discord.com/api/webhooks/1187263549012345678/${v} -d '{"content":"done"}'`,
      negatives: ['curl -X POST https://discord.com/api/webhooks/<id>/<token>']
    }
  ]
}
