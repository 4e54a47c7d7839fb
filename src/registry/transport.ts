/**
 * Transport of the registry client: one HTTP request over fetch with manual redirects (credentials never follow a
 * redirect to another origin), one timeout for all of it and a limit on the body; retries of 429/502/503/504 with
 * Retry-After; the registry's API origin and the next-page link.
 */
import { Buffer } from 'node:buffer'
import type { Deadline } from './budget.js'
import { RegistryError } from './errors.js'
import { budgetError, isTimeout, networkError, protocolError, type ErrorContext, type Peer, type Reply, type Subject } from './error-mapping.js'
import { DOCKER_HUB_NAMES, HOST } from '../grammar.js'

export interface SendOptions {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT'
  accept?: string
  /** The request body, made anew for each send (a retry, or the send after a 401 challenge). */
  body?: () => Promise<RequestBody>
  /** The answer's body is not read but handed over as `stream` (a blob being copied). */
  streamBody?: boolean
  /** This request's own time limit instead of the client's per-request one (a blob transfer). */
  timeoutMs?: number
  /** Aborts the request (a transfer that stopped moving). */
  signal?: AbortSignal
  /** Sent only to the origin of the first URL: never to a redirect target elsewhere (blob storage, CDN). */
  authorization?: string
  maxBytes: number
  peer: Peer
  /** The overall end of the read this request is part of; a request never runs past it. */
  deadline?: Deadline
}

/** A body with its length and type: a length is always sent, as some registries refuse chunked uploads. */
export interface RequestBody {
  data: Uint8Array | ReadableStream<Uint8Array>
  length: number
  contentType: string
}

const MAX_REDIRECTS = 5
/** Only the error codes are read from an error body. */
const MAX_ERROR_BYTES = 64 * 1024
const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504])
/** A Retry-After further away than this fails now with the status, rather than stalling the job. */
const MAX_RETRY_AFTER_S = 30

/** localhost, 127.0.0.0/8 and ::1: the hosts Docker talks plain http to without configuration. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase()
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

/** The registry's API origin, e.g. `http://127.0.0.1:5000` or `https://registry-1.docker.io`. */
export function registryOrigin(registry: string, insecure?: boolean): string {
  const host = DOCKER_HUB_NAMES.has(registry.toLowerCase()) ? 'registry-1.docker.io' : registry.toLowerCase()
  if (!HOST.test(host)) {
    throw new RegistryError(`invalid registry '${registry}': expected a host[:port] such as ghcr.io or 127.0.0.1:5000`, 'invalid', registry)
  }
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '')
  return `${(insecure ?? isLoopbackHost(hostname)) ? 'http' : 'https'}://${host}`
}

export class Transport {
  constructor(
    private readonly context: ErrorContext,
    private readonly fetchImpl: typeof fetch
  ) {}

  /** One request with manual redirects and one timeout for all of it, body read up to a limit. */
  async send(subject: Subject, url: URL, options: SendOptions): Promise<Reply> {
    const authOrigin = url.origin
    const { deadline } = options
    const remaining = deadline === undefined ? Infinity : deadline.at - Date.now()
    if (deadline !== undefined && remaining <= 0) throw budgetError(this.context, subject, deadline.ms, deadline.label)
    const timeoutMs = options.timeoutMs ?? this.context.timeoutMs
    const byBudget = remaining < timeoutMs
    const timeout = AbortSignal.timeout(Math.max(1, Math.min(timeoutMs, remaining)))
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout
    let current = url
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = {}
      if (options.accept !== undefined) headers.Accept = options.accept
      if (options.authorization !== undefined && current.origin === authOrigin) {
        headers.Authorization = options.authorization
      }
      try {
        const body = await options.body?.()
        if (body !== undefined) {
          headers['Content-Type'] = body.contentType
          headers['Content-Length'] = String(body.length)
        }
        const init: RequestInit & { duplex?: 'half' } = { method: options.method, headers, redirect: 'manual', signal }
        if (body !== undefined) {
          init.body = body.data
          init.duplex = 'half'
        }
        const res = await this.fetchImpl(current, init)
        const location = res.headers.get('location')
        if ([301, 302, 303, 307, 308].includes(res.status) && location !== null) {
          await res.body?.cancel().catch(() => undefined)
          if (hop >= MAX_REDIRECTS) throw protocolError(this.context, subject, `more than ${MAX_REDIRECTS} redirects`)
          const next = parseUrl(location, current)
          if (next === null || (next.protocol !== 'https:' && next.protocol !== 'http:')) {
            throw protocolError(this.context, subject, 'a redirect to an invalid location')
          }
          current = next
          continue
        }
        if (options.streamBody && res.ok && res.body !== null) {
          return { status: res.status, headers: res.headers, body: new Uint8Array(), stream: res.body, url: current }
        }
        const limit = res.ok ? options.maxBytes : MAX_ERROR_BYTES
        const answer = options.method === 'HEAD' ? new Uint8Array() : await readBody(res, limit)
        if (answer === undefined) {
          if (res.ok) throw protocolError(this.context, subject, `an answer larger than ${limit / 1024 / 1024} MiB`)
        }
        return { status: res.status, headers: res.headers, body: answer ?? new Uint8Array(), url: current }
      } catch (thrown) {
        if (thrown instanceof RegistryError) throw thrown
        if (byBudget && deadline !== undefined && isTimeout(thrown)) throw budgetError(this.context, subject, deadline.ms, deadline.label)
        throw networkError(this.context, subject, current, options.peer, thrown)
      }
    }
  }
}

/**
 * Runs `attempt` again while it is answered 429/502/503/504, up to `retries` more times, waiting as asked; a wait
 * that would end past the deadline is not started (the status is the answer).
 */
export async function withRetries(attempt: () => Promise<Reply>, retries: number, retryDelayMs: number, deadline?: Deadline): Promise<Reply> {
  for (let count = 0; ; count++) {
    const reply = await attempt()
    if (!RETRY_STATUSES.has(reply.status) || count >= retries) return reply
    const delay = retryDelay(reply.headers.get('retry-after'), retryDelayMs * 2 ** count)
    if (delay === undefined) return reply
    if (deadline !== undefined && Date.now() + delay >= deadline.at) return reply
    await new Promise(resolve => setTimeout(resolve, delay))
  }
}

/** The `rel="next"` target of a Link header: `<url>; rel="next"`, possibly among other links. */
export function nextLink(header: string | null): string | undefined {
  if (header === null) return undefined
  for (const match of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const params = match[2] ?? ''
    if (/;\s*rel\s*=\s*"?(?:[^";,]*\s)?next(?:\s[^";,]*)?"?\s*(?:;|$)/i.test(params)) return match[1]
  }
  return undefined
}

/** Milliseconds to wait before a retry; undefined when the registry asks for longer than is worth waiting. */
function retryDelay(retryAfter: string | null, fallbackMs: number): number | undefined {
  if (retryAfter === null) return fallbackMs
  const seconds = /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter.trim()) : (Date.parse(retryAfter) - Date.now()) / 1000
  if (Number.isNaN(seconds)) return fallbackMs
  return seconds > MAX_RETRY_AFTER_S ? undefined : Math.max(seconds, 0) * 1000
}

/** Reads at most `limit` bytes; undefined when there are more (the rest is not downloaded). */
async function readBody(res: Response, limit: number): Promise<Uint8Array | undefined> {
  if (res.body === null) return new Uint8Array()
  const chunks: Uint8Array[] = []
  let total = 0
  const reader = res.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > limit) {
      await reader.cancel().catch(() => undefined)
      return undefined
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks)
}

export function parseUrl(text: string, base: URL): URL | null {
  try {
    return new URL(text, base)
  } catch {
    return null
  }
}
