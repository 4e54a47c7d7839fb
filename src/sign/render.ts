/** The summary's section on what vouches for the pushed image: its attestations and its signature. Pure. */
import type { AttestationPlan } from '../buildx/attestations.js'
import type { SignReport } from './sign.js'

export function renderSupplyChain(attestations: AttestationPlan | undefined, signature: SignReport | undefined): string[] {
  const lines = ['### Provenance and signature', '']
  if (attestations) {
    if (attestations.attached) lines.push(`- Attestations: ${attestations.asked}, in the pushed image index.`)
    else if (attestations.notice) lines.push(`- Attestations: none. ${attestations.notice}`)
    else lines.push('- Attestations: none (provenance and sbom are false).')
  }
  if (signature) {
    const how = signature.mode === 'key' ? 'with the key from cosign-key' : 'keyless, with the workflow’s GitHub OIDC identity'
    const log = signature.tlogUpload ? '' : ' (not recorded in the transparency log: sign-tlog-upload is false)'
    lines.push(
      signature.signed ? `- ✅ Signed \`${signature.imageRef}\` ${how}${log}.` : `- ❌ Not signed: \`${signature.imageRef}\` is pushed but unsigned.`,
      '',
      'A cluster operator checks the image before using it with:',
      '',
      '```sh',
      signature.verify,
      '```'
    )
  }
  return lines
}
