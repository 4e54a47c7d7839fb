/**
 * Authentication of the registry client, as Docker does it: try the request; on 401 follow the WWW-Authenticate
 * challenge (a bearer token from the realm, anonymous or with basic credentials, or basic auth itself) and retry.
 * Tokens are kept per challenge scope and sent up front on the next request for the same repository.
 */
import { Buffer } from 'node:buffer'
import { RegistryError } from './errors.js'
import { asRecord, describeSubject, httpError, protocolError, type ErrorContext, type Reply, type Subject } from './error-mapping.js'
import { isLoopbackHost, type SendOptions, type Transport } from './transport.js'
import { parseWwwAuthenticate, type Challenge } from './www-authenticate.js'

export interface RegistryCredentials {
  username: string
  password: string
}

const MAX_TOKEN_BYTES = 1024 * 1024

interface Token {
  token: string
  expiresAt: number
}

/** `Basic …` for the credentials; undefined when both are empty. */
export function basicAuthorization(credentials: RegistryCredentials | undefined): string | undefined {
  const { username = '', password = '' } = credentials ?? {}
  return username === '' && password === '' ? undefined : `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
}

export class Authenticator {
  /** Token per challenge scope (realm, service, scope); promises, so concurrent requests share one token request. */
  private readonly tokens = new Map<string, Promise<Token>>()
  /** The scope key each repository was last challenged with: its token is sent up front on the next request. */
  private readonly repositoryScopes = new Map<string, string>()
  /** Set once the registry asked for basic auth: later requests send it up front instead of taking a 401 each. */
  private basicFirst = false

  constructor(
    private readonly context: ErrorContext,
    private readonly transport: Transport,
    private readonly basicAuth: string | undefined,
    /** The caller chose plain http: credentials may then go to a plain-http token realm. */
    private readonly insecureChosen: boolean
  ) {}

  /** One request, answered with the known authorization or after following a 401's challenge. */
  async authorized(subject: Subject, url: URL, options: SendOptions): Promise<Reply> {
    const sent = await this.knownAuthorization(subject.repository)
    const reply = await this.transport.send(subject, url, { ...options, authorization: sent })
    if (reply.status !== 401) return reply

    const challenges = parseWwwAuthenticate(reply.headers.get('www-authenticate') ?? '')
    const bearer = challenges.find(c => c.scheme === 'bearer' && (c.params.realm ?? '') !== '')
    if (bearer !== undefined) {
      const key = scopeKey(bearer)
      this.repositoryScopes.set(subject.repository, key)
      const token = await this.token(subject, bearer, key, options, sent)
      return this.transport.send(subject, url, { ...options, authorization: `Bearer ${token}` })
    }
    if (challenges.some(c => c.scheme === 'basic') && this.basicAuth !== undefined && sent !== this.basicAuth) {
      this.basicFirst = true
      return this.transport.send(subject, url, { ...options, authorization: this.basicAuth })
    }
    return reply // mapped to an error by the caller, with the challenge still in its headers
  }

  private async knownAuthorization(repository: string): Promise<string | undefined> {
    if (this.basicFirst) return this.basicAuth
    const key = this.repositoryScopes.get(repository)
    const pending = key === undefined ? undefined : this.tokens.get(key)
    const token = await pending?.catch(() => undefined)
    return token !== undefined && token.expiresAt > Date.now() ? `Bearer ${token.token}` : undefined
  }

  /** The cached token for the scope, unless it is the one just refused or expired; else a new one. */
  private async token(subject: Subject, challenge: Challenge, key: string, request: SendOptions, refused?: string): Promise<string> {
    const cached = this.tokens.get(key)
    const entry = await cached?.catch(() => undefined)
    if (entry !== undefined && `Bearer ${entry.token}` !== refused && entry.expiresAt > Date.now()) return entry.token
    // Another request may have replaced the refused token meanwhile: take that one.
    const latest = this.tokens.get(key)
    if (latest !== undefined && latest !== cached) return (await latest).token

    const pending = this.fetchToken(subject, challenge, request)
    this.tokens.set(key, pending)
    pending.catch(() => {
      if (this.tokens.get(key) === pending) this.tokens.delete(key)
    })
    return (await pending).token
  }

  /** `request`: the registry request the token is for; the token request shares its deadline. */
  private async fetchToken(subject: Subject, challenge: Challenge, request: SendOptions): Promise<Token> {
    const { context } = this
    let realm: URL
    try {
      realm = new URL(challenge.params.realm ?? '')
    } catch {
      throw protocolError(context, subject, 'an invalid token realm in its WWW-Authenticate challenge')
    }
    if (realm.protocol !== 'https:' && realm.protocol !== 'http:') {
      throw protocolError(context, subject, `a token realm with the unsupported scheme ${realm.protocol}`)
    }
    realm.username = ''
    realm.password = ''
    const { service, scope } = challenge.params
    if (service !== undefined && service !== '') realm.searchParams.set('service', service)
    for (const one of (scope ?? '').split(' ')) if (one !== '') realm.searchParams.append('scope', one)
    if (this.basicAuth !== undefined && realm.protocol === 'http:' && !isLoopbackHost(realm.hostname) && !this.insecureChosen) {
      throw new RegistryError(
        `registry ${context.registry} asks for its credentials at ${realm.host} over plain http; refusing to send ` +
          `registry-username/registry-password unencrypted (reading ${describeSubject(subject)})`,
        'protocol',
        context.registry,
        subject.repository
      )
    }

    const reply = await this.transport.send(subject, realm, {
      method: 'GET',
      accept: 'application/json',
      authorization: this.basicAuth,
      maxBytes: MAX_TOKEN_BYTES,
      peer: 'token',
      ...(request.deadline !== undefined ? { deadline: request.deadline } : {})
    })
    if (reply.status !== 200) throw httpError(context, subject, reply, 'token')
    const body = asRecord(parseJson(context, subject, reply.body))
    const token = body?.token ?? body?.access_token
    // Visible ASCII only: anything else could not go into a header, and fetch would quote it in its own error.
    if (typeof token !== 'string' || !/^[\x21-\x7e]+$/.test(token)) {
      throw protocolError(context, subject, `a token answer from ${realm.host} without a usable token`)
    }
    // The spec's default lifetime is 60 s; renew a little early.
    const expiresIn = typeof body?.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60
    return { token, expiresAt: Date.now() + Math.max(expiresIn - 10, 1) * 1000 }
  }
}

export function parseJson(context: ErrorContext, subject: Subject, body: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(body).toString('utf8')) as unknown
  } catch {
    throw protocolError(context, subject, 'invalid JSON')
  }
}

function scopeKey(challenge: Challenge): string {
  const { realm = '', service = '', scope = '' } = challenge.params
  return JSON.stringify([
    realm,
    service,
    scope
      .split(' ')
      .filter(s => s !== '')
      .sort()
  ])
}
