// HashiCorp Vault service `hvs.`, batch `hvb.` and recovery `hvr.` tokens; Terraform Cloud / HCP Terraform API tokens `<14>.atlasv1.<60+>`.
// https://developer.hashicorp.com/vault/docs/concepts/tokens#token-prefixes
import { prefixed, randomAfter } from './common.js'
import { ALNUM, TOKEN, TOKEN_CHARS, draw, type Family, type Handler } from './types.js'

/** `<14 alphanumerics>.atlasv1.<60-70>`: anchored at `.atlasv1.`, the id before it is read backwards. */
const TF_BODY = /\.atlasv1\.[A-Za-z0-9_=-]{60,70}/y
const terraformHandler: Handler = (ctx, pos) => {
  const { buf, end } = ctx
  const start = pos - 14
  if (start < 0 || (start > 0 && ALNUM[buf[start - 1]!] === 1)) return
  for (let i = start; i < pos; i++) if (ALNUM[buf[i]!] !== 1) return
  TF_BODY.lastIndex = 0
  const m = TF_BODY.exec(buf.toString('latin1', pos, Math.min(end, pos + 80)))
  if (m === null) return
  const stop = pos + m[0].length
  if (stop < end && TOKEN[buf[stop]!] === 1) return
  const value = buf.toString('latin1', start, stop)
  if (randomAfter(23)(value)) ctx.emit('terraform-cloud-token', start, stop, value)
}

export const hashicorp: Family = {
  name: 'HashiCorp',
  source: 'https://developer.hashicorp.com/vault/docs/concepts/tokens#token-prefixes',
  rules: [
    { id: 'vault-token', description: 'HashiCorp Vault token' },
    { id: 'terraform-cloud-token', description: 'HCP Terraform (Terraform Cloud) API token' }
  ],
  tokens: [
    prefixed({ rule: 'vault-token', anchors: ['hvs.', 'hvb.', 'hvr.'], re: /hv[sbr]\.[A-Za-z0-9_-]{24,400}/y, maxLength: 404, tail: TOKEN, minEntropy: 3.2 })
  ],
  anchors: [{ text: '.atlasv1.', handler: terraformHandler, patterns: [TF_BODY] }],
  cases: [
    { rule: 'vault-token', key: 'VAULT_TOKEN', make: r => `hvs.${draw(r, 24)}`, negatives: ['hvs.xxxxxxxxxxxxxxxxxxxxxxxx'] },
    { rule: 'vault-token', key: 'VAULT_BATCH_TOKEN', make: r => `hvb.AAAAAQ${draw(r, 130, TOKEN_CHARS)}`, negatives: ['hvb.<batch token>'] },
    {
      rule: 'terraform-cloud-token',
      key: 'TFE_TOKEN',
      make: r => `${draw(r, 14)}.atlasv1.${draw(r, 67, TOKEN_CHARS)}`,
      negatives: ['xxxxxxxxxxxxxx.atlasv1.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx']
    }
  ]
}
