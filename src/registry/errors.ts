import { UserError } from '../errors.js'

/**
 * What went wrong, for callers that react differently (tagExists turns not-found into false; a pull-request check may
 * only warn when the registry is unreachable).
 */
export type RegistryErrorKind =
  | 'invalid' // a repository or reference no registry accepts, or a bad registry host
  | 'unreachable' // DNS, connection refused or reset, TLS
  | 'timeout'
  | 'unauthorized' // 401: no or wrong credentials
  | 'forbidden' // 403, or a token without pull scope
  | 'not-found' // 404: repository, tag, manifest or blob
  | 'rate-limited' // 429
  | 'server' // 5xx
  | 'platform' // the image has no manifest for the platform asked for
  | 'protocol' // an answer that breaks the Distribution API (bad JSON, digest mismatch, endless pagination)

/**
 * A registry failure as one actionable line naming the registry and repository. A UserError, so the orchestrator shows
 * the message without a stack. Messages are built only from the registry host, validated names, HTTP statuses and
 * error codes: never from credentials, tokens or response text.
 */
export class RegistryError extends UserError {
  constructor(
    message: string,
    readonly kind: RegistryErrorKind,
    readonly registry: string,
    readonly repository?: string,
    readonly status?: number,
    /** The failed request wrote (a blob upload, a manifest put): the advice is about push access. */
    readonly push = false
  ) {
    super(message)
    this.name = 'RegistryError'
  }
}
