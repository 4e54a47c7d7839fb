/**
 * Error mapping of the registry client: what a request read (its Subject), and how a failed request (a network
 * error, an HTTP status, an answer that breaks the protocol) becomes one RegistryError naming the registry and the
 * repository. Messages are built only from the registry host, validated names, HTTP statuses and error codes.
 */
import { Buffer } from 'node:buffer'
import { RegistryError, type RegistryErrorKind } from './errors.js'
import { DIGEST } from '../grammar.js'
import { parseWwwAuthenticate } from './www-authenticate.js'

/** What a request reads, for messages: "tags of a/b", "a/b:1.0", "config blob sha256:... of a/b". */
export interface Subject {
  repository: string
  /** `blob` is an image config; `layer` any other blob. */
  kind: 'tags' | 'manifest' | 'blob' | 'layer'
  reference?: string
  /** Written, not read: the messages speak of pushing and of push (write) access. */
  push?: boolean
}

export interface Reply {
  status: number
  headers: Headers
  body: Uint8Array
  /** The unread body, when the request asked for it so (SendOptions.streamBody). */
  stream?: ReadableStream<Uint8Array>
  url: URL
}

export type Peer = 'registry' | 'token'

/** What the messages say about the client that failed. */
export interface ErrorContext {
  /** The registry as given. */
  registry: string
  /** Its API origin: a failure elsewhere (a redirect target, the token service) is named as such. */
  origin: string
  /** Whether the client sends credentials (the advice differs). */
  credentials: boolean
  /** The per-request timeout, for the timeout message. */
  timeoutMs: number
}

export function describeSubject(subject: Subject): string {
  const { repository, kind, reference = '' } = subject
  if (kind === 'tags') return `tags of ${repository}`
  if (kind === 'blob') return `config blob ${reference} of ${repository}`
  if (kind === 'layer') return `blob ${reference} of ${repository}`
  return DIGEST.test(reference) ? `${repository}@${reference}` : `${repository}:${reference}`
}

export function protocolError(context: ErrorContext, subject: Subject, what: string): RegistryError {
  return new RegistryError(`registry ${context.registry} answered ${describeSubject(subject)} with ${what}`, 'protocol', context.registry, subject.repository)
}

/** The overall read budget ran out (a phase's or one call's, pages and retries included). */
export function budgetError(context: ErrorContext, subject: Subject, budgetMs: number, label: string): RegistryError {
  return new RegistryError(
    `registry ${context.registry} did not finish reading ${describeSubject(subject)} within the ${label} of ` +
      `${Math.round(budgetMs / 100) / 10} s: is it slow or rate-limiting the runner?`,
    'timeout',
    context.registry,
    subject.repository
  )
}

export function networkError(context: ErrorContext, subject: Subject, url: URL, peer: Peer, thrown: unknown): RegistryError {
  const { registry } = context
  const target =
    url.origin === context.origin
      ? `registry ${registry}`
      : peer === 'token'
        ? `the token service ${url.host} of registry ${registry}`
        : `${url.host} (where registry ${registry} redirected)`
  const reading = `${subject.push ? 'pushing' : 'reading'} ${describeSubject(subject)}`
  if (isTimeout(thrown)) {
    return new RegistryError(
      `${target} did not answer within ${Math.round(context.timeoutMs / 100) / 10} s ${reading}: ` + 'is it reachable from the runner?',
      'timeout',
      registry,
      subject.repository
    )
  }
  const code = errorCode(thrown)
  let hint = 'is it running and reachable from the runner?'
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    hint = 'the host name does not resolve; check it and the runner network'
  } else if (code !== undefined && /CERT|TLS|SSL|EPROTO/.test(code)) {
    hint = url.protocol === 'https:' ? 'does it serve https with a certificate the runner trusts?' : 'TLS failed'
  }
  return new RegistryError(`cannot reach ${target} (${code ?? 'network error'}) ${reading}: ${hint}`, 'unreachable', registry, subject.repository)
}

export function httpError(context: ErrorContext, subject: Subject, reply: Reply, peer: Peer = 'registry'): RegistryError {
  const { status } = reply
  const { registry } = context
  const codes = errorCodes(reply.body)
  const at = `(HTTP ${status}${codes.length > 0 ? ` ${codes.join(', ')}` : ''})`
  const where = `registry ${registry}${peer === 'token' ? ` (token service ${reply.url.host})` : ''}`
  const what = describeSubject(subject)
  const { repository } = subject
  const credentials = context.credentials
  const setCredentials = 'set registry-username/registry-password'
  const error = (kind: RegistryErrorKind, message: string): RegistryError =>
    new RegistryError(message, kind, registry, repository, status, subject.push === true)
  const reading = subject.push ? 'pushing' : 'reading'
  const access = subject.push ? 'push (write)' : 'pull (read)'

  if (status === 401) {
    const challenge = parseWwwAuthenticate(reply.headers.get('www-authenticate') ?? '')
    if (challenge.some(c => c.params.error === 'insufficient_scope')) {
      return error(
        'forbidden',
        `${where} refused ${what} ${at}: the ${credentials ? 'credentials lack' : 'anonymous token lacks'} ` +
          `${access} access to ${repository}${credentials ? '' : `; ${setCredentials}`} ` +
          '(a missing repository answers this way too)'
      )
    }
    return error(
      'unauthorized',
      credentials
        ? `authentication failed at ${where} ${reading} ${what} ${at}: the registry rejected ` + `registry-username/registry-password; check them`
        : `authentication failed at ${where} ${reading} ${what} ${at}: the registry requires credentials; ` +
            `${setCredentials} (a private or missing repository answers this way too)`
    )
  }
  if (status === 403) {
    return error(
      'forbidden',
      `${where} denied access to ${what} ${at}: the ${credentials ? 'credentials lack' : 'anonymous access lacks'} ` +
        `${access} permission on ${repository}${credentials ? '' : `; ${setCredentials}`}`
    )
  }
  if (status === 404) {
    if (peer === 'token') return error('not-found', `the token service of ${where} was not found ${at}`)
    if (subject.kind === 'tags' || codes.includes('NAME_UNKNOWN')) {
      return error(
        'not-found',
        `repository ${repository} not found in registry ${registry} ${at}: check the name` + (credentials ? ' and that the credentials can see it' : '')
      )
    }
    const reference = subject.reference ?? ''
    if (subject.kind === 'blob' || codes.includes('BLOB_UNKNOWN')) {
      return error('not-found', `${what} not found in registry ${registry} ${at}: the image is incomplete`)
    }
    if (codes.includes('MANIFEST_UNKNOWN')) {
      return error(
        'not-found',
        DIGEST.test(reference)
          ? `manifest ${reference} not found in ${repository} in registry ${registry} ${at}`
          : `tag ${reference} not found in ${repository} in registry ${registry} ${at}`
      )
    }
    return error(
      'not-found',
      `${what} not found in registry ${registry} ${at}: the repository or the ` + `${DIGEST.test(reference) ? 'digest' : 'tag'} does not exist`
    )
  }
  if (status === 429) {
    const after = reply.headers.get('retry-after')
    const when = after !== null && /^\d+$/.test(after) ? `, retry after ${after} s` : ''
    return error(
      'rate-limited',
      `${where} rate-limited ${reading} ${what} (HTTP 429${when}): retry later` +
        (credentials ? '' : `, or ${setCredentials}: anonymous pulls have lower limits`)
    )
  }
  if (status >= 500) {
    return error('server', `${where} failed ${reading} ${what} ${at}: a server-side error; retry later`)
  }
  return error('protocol', `unexpected answer from ${where} ${reading} ${what} ${at}`)
}

/** The `code`s of a Distribution error body (`{"errors":[{"code":"MANIFEST_UNKNOWN",...}]}`); messages are ignored. */
export function errorCodes(body: Uint8Array): string[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(body).toString('utf8'))
  } catch {
    return []
  }
  const errors = asRecord(parsed)?.errors
  if (!Array.isArray(errors)) return []
  const codes = errors.map(e => asRecord(e)?.code).filter((code): code is string => typeof code === 'string' && /^[A-Z][A-Z_]{0,40}$/.test(code))
  return [...new Set(codes)].slice(0, 3)
}

/** AbortSignal.timeout aborts with a DOMException named TimeoutError, possibly wrapped by fetch. */
export function isTimeout(thrown: unknown, depth = 0): boolean {
  if (depth > 5 || typeof thrown !== 'object' || thrown === null) return false
  if ('name' in thrown && thrown.name === 'TimeoutError') return true
  return 'cause' in thrown && isTimeout(thrown.cause, depth + 1)
}

/** The system error code (ECONNREFUSED, ENOTFOUND, ...) under fetch's "fetch failed" TypeError. */
export function errorCode(thrown: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof thrown !== 'object' || thrown === null) return undefined
  if ('code' in thrown && typeof thrown.code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(thrown.code)) {
    return thrown.code
  }
  // Happy eyeballs (localhost: ::1 and 127.0.0.1) fails with an AggregateError of both attempts.
  if (thrown instanceof AggregateError) {
    for (const inner of thrown.errors) {
      const code = errorCode(inner, depth + 1)
      if (code !== undefined) return code
    }
  }
  return 'cause' in thrown ? errorCode(thrown.cause, depth + 1) : undefined
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
}
