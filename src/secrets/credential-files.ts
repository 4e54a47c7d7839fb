// Credentials recognised by their file's shape. These files are read whatever their content (even if they look
// binary), and every credential in them is reported, random-looking or not: their only purpose is to hold one.

import type { RuleId } from './rules.js'
import { isPlaceholder, isVariableReference } from './values.js'

export type CredentialKind = 'npmrc' | 'docker-config' | 'git-credentials' | 'netrc' | 'pypirc' | 'kubeconfig' | 'aws-credentials'

/** Which credential file `name` (in directory `parent`) is, if any. */
export function credentialKind(name: string, parent: string): CredentialKind | undefined {
  if (name === '.npmrc' || name === 'npmrc') return 'npmrc'
  if (name === '.dockercfg' || (name === 'config.json' && (parent === '.docker' || parent === 'docker'))) return 'docker-config'
  if (name === '.git-credentials') return 'git-credentials'
  if (name === '.netrc' || name === '_netrc') return 'netrc'
  if (name === '.pypirc') return 'pypirc'
  // ~/.kube/config copied in as kube/config, and kubeconfig, prod.kubeconfig, kubeconfig-staging.yaml …
  if (((parent === '.kube' || parent === 'kube') && name === 'config') || /kubeconfig/i.test(name)) {
    return 'kubeconfig'
  }
  if (parent === '.aws' && (name === 'credentials' || name === 'config')) return 'aws-credentials'
  return undefined
}

/** `.env`, `.env.production`, `app.env`, but not the templates meant to be committed (`.env.example`). */
export function isDotenv(name: string): boolean {
  if (!(name === '.env' || name.startsWith('.env.') || name.endsWith('.env'))) return false
  return !/(?:example|sample|template|dist|defaults|tpl)$/i.test(name)
}

type Emit = (rule: RuleId, start: number, end: number, value: string) => void

interface LineRule {
  re: RegExp // global; group 1 = key (optional), last group = value
  rule: (key: string) => RuleId
}

const PARSERS: Record<CredentialKind, LineRule[]> = {
  npmrc: [
    {
      re: /^[ \t]{0,16}(?:\/\/[^\s=]{1,500}:)?(_authToken|_auth|_password|password)[ \t]{0,16}=[ \t]{0,16}([^\r\n]{1,4000})/gm,
      rule: () => 'npmrc-auth'
    }
  ],
  'docker-config': [{ re: /"(auth|identitytoken|registrytoken)"[ \t]{0,8}:[ \t]{0,8}"([^"\\\r\n]{1,8192})"/g, rule: () => 'docker-config-auth' }],
  'git-credentials': [{ re: /^[ \t]{0,16}[A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/([^\s:/@]{0,256}):([^\s@]{1,1024})@/gm, rule: () => 'git-credentials' }],
  netrc: [{ re: /(?:^|[ \t\r\n])(password|passwd)[ \t\r\n]{1,20}([^\s]{1,1024})/g, rule: () => 'netrc-password' }],
  pypirc: [{ re: /^[ \t]{0,16}(password)[ \t]{0,16}[=:][ \t]{0,16}([^\r\n]{1,1024})/gm, rule: () => 'pypirc-password' }],
  kubeconfig: [
    {
      re: /^[ \t]{0,16}(?:-[ \t]{1,8})?(token|password|client-key-data|client-secret|id-token|refresh-token)[ \t]{0,16}:[ \t]{0,16}([^\r\n]{1,20000})/gm,
      rule: key => (key === 'client-key-data' ? 'kubeconfig-client-key' : 'kubeconfig-credential')
    }
  ],
  'aws-credentials': [
    {
      re: /^[ \t]{0,16}(aws_secret_access_key|aws_session_token|aws_security_token)[ \t]{0,16}=[ \t]{0,16}([^\r\n]{1,4096})/gim,
      rule: key => (key.toLowerCase() === 'aws_secret_access_key' ? 'aws-secret-access-key' : 'aws-session-token')
    }
  ]
}

/**
 * Reports every credential in `text` (the file's first bytes, decoded as latin1 so that indexes are byte offsets).
 * `offset` is added to each reported position.
 */
export function scanCredentialFile(kind: CredentialKind, text: string, offset: number, emit: Emit): void {
  if (kind === 'docker-config' && !text.includes('"auth')) return
  for (const { re, rule } of PARSERS[kind]) {
    re.lastIndex = 0
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const raw = m[m.length - 1] ?? ''
      const key = m.length > 2 ? (m[1] ?? '') : ''
      const trimmed = raw.replace(/[ \t]+$/, '')
      const quoted = /^(["'])(.*)\1$/.exec(trimmed)
      const value = quoted === null ? trimmed : (quoted[2] ?? '')
      if (value.length < 4 || isVariableReference(value) || isPlaceholder(value, true)) continue
      if (/EXAMPLE|REDACTED|OMITTED/.test(value)) continue
      const start = m.index + m[0].length - raw.length + (quoted === null ? 0 : 1)
      emit(rule(key), offset + start, offset + start + value.length, value)
    }
  }
}

/** Every RegExp the parsers apply, for the linear-time check in the tests. */
export const CREDENTIAL_PATTERNS: readonly RegExp[] = Object.values(PARSERS).flatMap(rules => rules.map(r => r.re))
