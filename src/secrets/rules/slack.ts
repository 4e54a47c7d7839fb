// Slack tokens and webhooks: https://api.slack.com/concepts/token-types (bot `xoxb-`, user `xoxp-`, app-level
// `xapp-`, configuration `xoxe.xoxp-` with refresh `xoxe-`, legacy workspace `xoxa-`, legacy `xoxs-`/`xoxo-`),
// incoming webhooks https://api.slack.com/messaging/webhooks, workflow webhooks and triggers.
import { isPlaceholder, shannonEntropy } from '../values.js'
import { ALNUM, DIGITS, HEX_CHARS, NONE, TOKEN, UPPER, WORD, draw, type Family, type Rand } from './types.js'

const digits = (r: Rand, n: number): string => draw(r, 1, '123456789') + draw(r, n - 1, DIGITS)

export const slack: Family = {
  name: 'Slack',
  source: 'https://api.slack.com/concepts/token-types',
  rules: [
    { id: 'slack-token', description: 'Slack token' },
    { id: 'slack-webhook-url', description: 'Slack incoming webhook URL' }
  ],
  tokens: [
    {
      anchors: ['xoxb', 'xoxp', 'xoxa', 'xoxe', 'xoxo', 'xoxr', 'xoxs', 'xapp'],
      re: /xox[bp]-[0-9]{8,14}-[0-9]{8,14}-[0-9A-Za-z-]{20,120}|xox[bp]-[0-9]{8,14}-[0-9A-Za-z]{24,40}|xox[aeors]-[0-9]{1,2}-[0-9A-Za-z-]{20,250}|xox[aors]-[0-9]{8,14}-[0-9A-Za-z-]{20,200}|xoxe\.xox[bp]-[0-9]-[0-9A-Za-z]{20,250}|xapp-[0-9]-[A-Z0-9]{9,12}-[0-9]{8,14}-[a-f0-9]{40,80}/y,
      maxLength: 260,
      rule: 'slack-token',
      lead: WORD,
      tail: TOKEN,
      validate: t => !isPlaceholder(t.slice(5), true) && shannonEntropy(t) > 3.5
    },
    {
      anchors: ['hooks.slack.com/'],
      re: /hooks\.slack\.com\/(?:services\/T[A-Z0-9]{8,12}\/[AB][A-Z0-9]{8,12}\/[A-Za-z0-9]{20,40}|workflows\/T[A-Z0-9]{8,12}\/A[A-Z0-9]{8,12}\/[0-9]{8,20}\/[A-Za-z0-9]{20,40}|triggers\/T[A-Z0-9]{8,12}\/[0-9]{8,20}\/[A-Za-z0-9]{20,40})/y,
      maxLength: 140,
      rule: 'slack-webhook-url',
      lead: NONE,
      tail: ALNUM,
      validate: t => !isPlaceholder(t.slice(t.lastIndexOf('/') + 1), true)
    }
  ],
  cases: [
    {
      rule: 'slack-token',
      key: 'SLACK_BOT_TOKEN',
      make: r => `xoxb-${digits(r, 11)}-${digits(r, 12)}-${draw(r, 24)}`,
      negatives: ['SLACK_TOKEN=xoxb-your-token-here', 'xoxb-000000000000-000000000000-xxxxxxxxxxxxxxxxxxxxxxxx']
    },
    {
      rule: 'slack-token',
      key: 'SLACK_USER_TOKEN',
      make: r => `xoxp-${digits(r, 11)}-${digits(r, 11)}-${digits(r, 13)}-${draw(r, 32, HEX_CHARS)}`,
      negatives: ['xoxp-...']
    },
    { rule: 'slack-token', key: 'SLACK_LEGACY_BOT_TOKEN', make: r => `xoxb-${digits(r, 12)}-${draw(r, 24)}`, negatives: ['xoxb-123456789012-<token>'] },
    { rule: 'slack-token', key: 'SLACK_CONFIG_TOKEN', make: r => `xoxe.xoxp-1-${draw(r, 140)}`, negatives: ['xoxe.xoxp-1-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'] },
    { rule: 'slack-token', key: 'SLACK_CONFIG_REFRESH_TOKEN', make: r => `xoxe-1-${draw(r, 140)}`, negatives: ['xoxe-1-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'] },
    {
      rule: 'slack-token',
      key: 'SLACK_APP_TOKEN',
      make: r => `xapp-1-A${draw(r, 10, UPPER + DIGITS)}-${digits(r, 13)}-${draw(r, 64, HEX_CHARS)}`,
      negatives: ['xapp-1-...']
    },
    {
      rule: 'slack-webhook-url',
      key: 'SLACK_WEBHOOK_URL',
      make: r => `https://hooks.slack.com/services/T${draw(r, 8, UPPER + DIGITS)}/B${draw(r, 8, UPPER + DIGITS)}/${draw(r, 24)}`,
      negatives: ['https://hooks.slack.com/services/TXXXXXXXX/BXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX']
    },
    {
      rule: 'slack-webhook-url',
      key: 'SLACK_WORKFLOW_URL',
      make: r => `https://hooks.slack.com/workflows/T${draw(r, 9, UPPER + DIGITS)}/A${draw(r, 10, UPPER + DIGITS)}/${digits(r, 18)}/${draw(r, 24)}`,
      negatives: ['https://hooks.slack.com/workflows/T00000000/A00000000/000000000000000000/XXXXXXXXXXXXXXXXXXXXXXXX']
    }
  ]
}
