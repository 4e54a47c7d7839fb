// Dynatrace tokens: prefix (`dt0c01`, `dt0s01`, …) . 24-character public portion . 64-character secret portion.
// https://docs.dynatrace.com/docs/dynatrace-api/basics/dynatrace-api-authentication
import { prefixed, randomAfter } from './common.js'
import { BEFORE_TOKEN, ALNUM, DIGITS, TOKEN, UPPER, draw, type Family } from './types.js'

export const dynatrace: Family = {
  name: 'Dynatrace',
  source: 'https://docs.dynatrace.com/docs/dynatrace-api/basics/dynatrace-api-authentication',
  rules: [{ id: 'dynatrace-token', description: 'Dynatrace API or platform token' }],
  tokens: [
    prefixed({
      rule: 'dynatrace-token',
      anchors: ['dt0'],
      re: /dt0[a-z][0-9]{2}\.[A-Z0-9]{24}\.[A-Z0-9]{64}/y,
      maxLength: 96,
      lead: TOKEN,
      tail: ALNUM,
      before: BEFORE_TOKEN,
      validate: t => randomAfter(32)(t)
    })
  ],
  cases: [
    {
      rule: 'dynatrace-token',
      key: 'DT_API_TOKEN',
      make: r => `dt0c01.${draw(r, 24, UPPER + DIGITS)}.${draw(r, 64, UPPER + DIGITS)}`,
      negatives: ['dt0c01.XXXXXXXXXXXXXXXXXXXXXXXX.XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX']
    }
  ]
}
