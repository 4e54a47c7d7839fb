/**
 * Signing the pushed digest with cosign, as a secure publish job does after docker/build-push-action: keyless with
 * the job's GitHub OIDC token (Fulcio certificate naming the workflow), or with a key given as a secret. The key and
 * its password reach cosign only through its environment (`--key env://COSIGN_PRIVATE_KEY`, `COSIGN_PASSWORD`),
 * never argv or a file. Pure: inputs -> argv, environment and the operator's verify command.
 */
import { UserError } from '../errors.js'

/** The signing inputs, named as in action.yml. */
export interface SignSettings {
  sign: boolean
  /** The PEM text of a cosign private key, or a KMS URI (`awskms://…`); empty for keyless. */
  'cosign-key': string
  'cosign-password': string
  /** Record the signature in Rekor, Sigstore's transparency log; false for air-gapped registries. */
  'sign-tlog-upload': boolean
}

/** What the runner offers for signing (RunnerFacts). */
export interface SigningFacts {
  /** The job can ask GitHub for an OIDC token (`permissions: id-token: write`). */
  oidc: boolean
  /** The workflow file and ref a keyless certificate names: `https://github.com/acme/app/.github/workflows/publish.yml@refs/heads/main`. */
  workflowIdentity?: string
  /** The token issuer the certificate records. */
  oidcIssuer: string
}

export type SignMode = { kind: 'key'; key: 'env' | string } | { kind: 'keyless' }

/** The environment variable cosign reads the key text from (`--key env://…`). */
export const KEY_VARIABLE = 'COSIGN_PRIVATE_KEY'

/** KMS and other key references cosign resolves itself; not secret, passed as they are. */
const KEY_URI = /^(awskms|gcpkms|azurekms|hashivault|k8s|gitlab):\/\/\S+$/

/** Whether the `cosign-key` input is a key cosign can read: PEM text, or a KMS URI. Pure. */
export function isCosignKey(text: string): boolean {
  return /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text) || KEY_URI.test(text.trim())
}

/** Key-based when a key is given (the user's explicit choice), else keyless with an OIDC token, else an error. */
export function signMode(settings: SignSettings, facts: SigningFacts): SignMode {
  const key = settings['cosign-key'].trim()
  if (key) return { kind: 'key', key: KEY_URI.test(key) ? key : 'env' }
  if (facts.oidc) return { kind: 'keyless' }
  throw new UserError(
    'sign is true, but there is no way to sign: give the job `permissions: id-token: write` to sign keyless with its GitHub OIDC token, ' +
      'or set cosign-key (and cosign-password) from secrets, e.g. cosign-key: ${{ secrets.COSIGN_PRIVATE_KEY }}.'
  )
}

/** `cosign sign` for `repository@digest`: no prompt, the signature pushed to the same repository. */
export function cosignSignArgs(mode: SignMode, imageRef: string, tlogUpload: boolean): string[] {
  const args = ['sign', '--yes']
  if (mode.kind === 'key') args.push('--key', mode.key === 'env' ? `env://${KEY_VARIABLE}` : mode.key)
  // cosign finds the runner's token itself (ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN); naming the provider makes a
  // missing one an error instead of a browser flow.
  else args.push('--oidc-provider', 'github-actions')
  if (!tlogUpload) args.push('--tlog-upload=false')
  args.push(imageRef)
  return args
}

/** cosign's own settings and the runner's OIDC variables, from the runner's environment; never an INPUT_*. */
export function cosignPassThrough(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.keys(env).filter(
    name =>
      (/^(COSIGN_|SIGSTORE_)/.test(name) && name !== KEY_VARIABLE && name !== 'COSIGN_PASSWORD') ||
      name === 'TUF_ROOT' ||
      name === 'ACTIONS_ID_TOKEN_REQUEST_URL' ||
      name === 'ACTIONS_ID_TOKEN_REQUEST_TOKEN'
  )
}

/** What cosign gets beside the docker environment: the key text and its password for a key in env://. */
export function cosignSecrets(mode: SignMode, settings: SignSettings): Record<string, string> {
  if (mode.kind !== 'key') return {}
  // An unencrypted key still makes cosign ask for a password; an empty one answers it.
  return { ...(mode.key === 'env' ? { [KEY_VARIABLE]: settings['cosign-key'] } : {}), COSIGN_PASSWORD: settings['cosign-password'] }
}

/** The command a cluster operator runs to check the image before using it, as one line. Pure. */
export function verifyCommand(mode: SignMode, imageRef: string, facts: SigningFacts, tlogUpload: boolean): string {
  const args = ['cosign', 'verify']
  if (mode.kind === 'key') {
    args.push('--key', mode.key === 'env' ? 'cosign.pub' : mode.key)
  } else {
    args.push('--certificate-identity', facts.workflowIdentity ?? '<workflow URL>@<ref>', '--certificate-oidc-issuer', facts.oidcIssuer)
  }
  if (!tlogUpload) args.push('--insecure-ignore-tlog=true')
  args.push(imageRef)
  return args.map(shellWord).join(' ')
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
}

/** The OIDC issuer of GitHub Actions tokens: github.com's, or a GitHub Enterprise Server's own. */
export function oidcIssuer(serverUrl: string | undefined): string {
  return !serverUrl || serverUrl === 'https://github.com' ? 'https://token.actions.githubusercontent.com' : `${serverUrl}/_services/token`
}
