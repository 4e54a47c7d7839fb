// OpenAI API keys `sk-…`, `sk-proj-…`, `sk-svcacct-…`, `sk-admin-…` all carry `T3BlbkFJ` (base64 of "OpenAI"):
// anchor there and look both ways. https://platform.openai.com/docs/api-reference/authentication
import { isPlaceholder } from '../values.js'
import { TOKEN, TOKEN_CHARS, draw, type Family, type Handler } from './types.js'

const openAiHandler: Handler = (ctx, pos) => {
  const { buf, end } = ctx
  let start = pos
  const minStart = Math.max(0, pos - 200)
  while (start > minStart && TOKEN[buf[start - 1]!] === 1) start--
  let stop = pos + 8
  const maxStop = Math.min(end, pos + 208)
  while (stop < maxStop && TOKEN[buf[stop]!] === 1) stop++
  if (stop - pos - 8 < 20 || pos - start < 23) return
  const value = buf.toString('latin1', start, stop)
  if (!value.startsWith('sk-') || value.startsWith('sk-ant-')) return
  if (isPlaceholder(value.slice(3), true)) return
  ctx.emit('openai-api-key', start, stop, value)
}

export const openai: Family = {
  name: 'OpenAI',
  source: 'https://platform.openai.com/docs/api-reference/authentication',
  rules: [{ id: 'openai-api-key', description: 'OpenAI API key' }],
  anchors: [{ text: 'T3BlbkFJ', handler: openAiHandler }],
  cases: [
    {
      rule: 'openai-api-key',
      key: 'OPENAI_API_KEY',
      make: r => `sk-proj-${draw(r, 74, TOKEN_CHARS)}T3BlbkFJ${draw(r, 74, TOKEN_CHARS)}`,
      negatives: ['OPENAI_API_KEY=sk-...', `sk-proj-${'x'.repeat(40)}T3BlbkFJ${'x'.repeat(40)}`]
    },
    {
      rule: 'openai-api-key',
      key: 'OPENAI_KEY',
      make: r => `sk-${draw(r, 20)}T3BlbkFJ${draw(r, 20)}`,
      negatives: ['sk-XXXXXXXXXXXXXXXXXXXXT3BlbkFJXXXXXXXXXXXXXXXXXXXX']
    }
  ]
}
