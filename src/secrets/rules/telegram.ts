// Telegram bot tokens from @BotFather: `<bot id>:AA` + 32-33 characters, also inside Bot API URLs
// (`https://api.telegram.org/bot<token>/getMe`). https://core.telegram.org/bots/features#botfather
import { isPlaceholder, shannonEntropy } from '../values.js'
import { DIGITS, TOKEN, TOKEN_CHARS, draw, type Family, type Handler } from './types.js'

const TAIL = /:AA[A-Za-z0-9_-]{32,33}/y

const telegramHandler: Handler = (ctx, pos) => {
  const { buf, end } = ctx
  // pos is the colon; the bot id is the 5-16 digits before it, after a boundary or `/bot`.
  let s = pos
  while (s > pos - 17 && s > 0 && buf[s - 1]! >= 48 && buf[s - 1]! <= 57) s--
  const digits = pos - s
  if (digits < 5 || digits > 16) return
  const prev = s > 0 ? buf[s - 1]! : 10
  const afterBot = s >= 4 && buf.toString('latin1', s - 4, s) === '/bot'
  if (TOKEN[prev] === 1 && !afterBot) return
  const text = buf.toString('latin1', pos, Math.min(end, pos + 37))
  TAIL.lastIndex = 0
  const m = TAIL.exec(text)
  if (m === null) return
  const stop = pos + m[0].length
  if (stop < end && TOKEN[buf[stop]!] === 1) return
  const secret = m[0].slice(1)
  if (shannonEntropy(secret) < 3.8 || isPlaceholder(secret, true)) return
  ctx.emit('telegram-bot-token', s, stop, buf.toString('latin1', s, stop))
}

export const telegram: Family = {
  name: 'Telegram',
  source: 'https://core.telegram.org/bots/features#botfather',
  revoke: 'https://core.telegram.org/bots/features#botfather',
  rules: [{ id: 'telegram-bot-token', description: 'Telegram bot token' }],
  anchors: [{ text: ':AA', before: DIGITS, handler: telegramHandler, patterns: [TAIL] }],
  cases: [
    {
      rule: 'telegram-bot-token',
      key: 'TELEGRAM_BOT_TOKEN',
      make: r => `${1 + r.int(9)}${draw(r, 9, DIGITS)}:AA${draw(r, 33, TOKEN_CHARS)}`,
      negatives: ['TELEGRAM_BOT_TOKEN=123456789:AAxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'time 12:00:AAAA']
    }
  ]
}
