/**
 * A failed push, classified from docker's and buildx's own error lines into a message that names the image and the
 * registry and says what to do. Pure: the table in __tests__/buildx/push-failure.test.ts runs on real stderr lines of
 * `docker buildx build --push` and `docker push` (captured through the fault-injecting proxy of the stack tests).
 */
import { stripAnsi } from './hints.js'

export type PushFailureClass = 'server' | 'throttled' | 'denied' | 'unauthorized' | 'unreachable' | 'reset' | 'deadline'

export interface PushFailure {
  class: PushFailureClass
  /** Seconds the registry asked to wait (429 with Retry-After), when docker printed it. */
  retryAfter?: number
  /** The error line the class was read from. */
  line: string
}

/** Classes worth another attempt: the registry or the path to it failed for a moment. */
export const TRANSIENT: ReadonlySet<PushFailureClass> = new Set(['server', 'throttled', 'reset'])

/** First match wins: a 429 line may also say "unexpected status", a denied one "unauthorized". */
const CLASSES: Array<[PushFailureClass, RegExp]> = [
  ['throttled', /toomanyrequests|\b429\b|too many requests|rate limit/i],
  [
    'server',
    /\b5\d\d (?:Internal Server Error|Not Implemented|Bad Gateway|Service Unavailable|Gateway Timeout)\b|unexpected (?:HTTP )?status(?: code)?:? 5\d\d|\bstatus(?: code)?:? 5\d\d\b/i
  ],
  ['denied', /\bdenied\b|\b403\b|forbidden|insufficient_scope/i],
  ['unauthorized', /unauthorized|\b401\b|no basic auth credentials|authentication required/i],
  ['deadline', /deadline exceeded|Client\.Timeout exceeded|timeout awaiting response headers/i],
  [
    'reset',
    /connection reset|use of closed network connection|broken pipe|unexpected EOF|:\s*EOF$|server closed (?:idle )?connection|connection closed|http2: (?:server sent GOAWAY|stream error)/i
  ],
  ['unreachable', /connection refused|no such host|i\/o timeout|network is unreachable|no route to host|TLS handshake timeout|dial tcp/i]
]

/**
 * The push failure in buildx's stderr, or undefined when the build failed before pushing (a RUN, a FROM) or the
 * cause is not known. Only the push step's error lines count: what a RUN printed never decides the class.
 * `pushOnly`: the output is `docker push`'s, where every line is the push's.
 */
export function classifyPushFailure(stderrLines: readonly string[], pushOnly = false): PushFailure | undefined {
  const lines = stderrLines.map(line => stripAnsi(line).trim())
  const pushSteps = new Set<string>()
  // `docker push` does nothing but push, and prints its error bare ("denied", "toomanyrequests: slow down").
  let pushing = pushOnly
  for (const line of lines) {
    const step = /^#(\d+) (?:pushing |exporting to image\b|exporting manifest|exporting config)/.exec(line)
    if (step?.[1] !== undefined) pushSteps.add(step[1])
    if (/^> pushing \S+ with docker:?$/.test(line) || /failed to push\b/.test(line) || /^> exporting to image:?$/.test(line)) pushing = true
  }
  // Past a push step every later error is the push's (dockerd's read-back after the upload prints no step).
  if (pushSteps.size > 0) pushing = true
  const errors = lines.filter(line => {
    const step = /^#(\d+) ERROR: /.exec(line)
    if (step?.[1] !== undefined) return pushSteps.has(step[1])
    return pushing && (pushOnly ? line !== '' : /^(?:ERROR|error)\b:?/.test(line))
  })
  for (const line of errors.reverse()) {
    const found = CLASSES.find(([, pattern]) => pattern.test(line))
    if (found === undefined) continue
    const failure: PushFailure = { class: found[0], line: line.replace(/^#\d+ /, '') }
    const after = /retry[- ]after:?\s*(\d{1,5})\b/i.exec(line)
    if (found[0] === 'throttled' && after?.[1] !== undefined) failure.retryAfter = Number(after[1])
    return failure
  }
  return undefined
}

/** Whether the build got as far as pushing (a push step was printed): the registry may then hold the image. */
export function reachedPush(stderrLines: readonly string[]): boolean {
  return stderrLines.some(line => /^#\d+ (?:pushing |exporting to image\b)/.test(stripAnsi(line).trim()))
}

export interface PushTarget {
  image: string
  registry: string
  /** Who pushed, for a refusal: "registry-username ci", "docker's login for ghcr.io", "no credentials". */
  account: string
}

/** The one-paragraph explanation of a classified push failure. */
export function pushFailureMessage(failure: PushFailure, target: PushTarget, attempts: number): string {
  const { image, registry, account } = target
  const tried = attempts > 1 ? ` (${attempts} attempts)` : ''
  switch (failure.class) {
    case 'server':
      return `Pushing ${image} failed${tried}: registry ${registry} answered with a server error (HTTP 5xx): the registry failed; retry later or check its status.`
    case 'throttled':
      return (
        `Pushing ${image} failed${tried}: registry ${registry} throttled the push (HTTP 429 too many requests` +
        `${failure.retryAfter !== undefined ? `, retry after ${failure.retryAfter} s` : ''}): wait and run the job again, or push less often.`
      )
    case 'denied':
      return (
        `Pushing ${image} failed: registry ${registry} denied ${account} write access to the repository (HTTP 403): give that account push rights` +
        (isGhcr(registry)
          ? `; for ghcr.io open the package's settings, "Manage Actions access", and give this repository the Write role (or push with a token that has write:packages).`
          : '.')
      )
    case 'unauthorized':
      return `Pushing ${image} failed: registry ${registry} did not accept the credentials of ${account} (HTTP 401): check registry-username/registry-password, or the docker login for ${registry} before this step.`
    case 'unreachable':
      return `Pushing ${image} failed: registry ${registry} cannot be reached from the runner: check the host and port in repository, and that the registry is up and reachable.`
    case 'reset':
      return `Pushing ${image} failed${tried}: the connection to registry ${registry} was reset or closed during the upload: a proxy, load balancer or the registry dropped it; retry later.`
    case 'deadline':
      return `Pushing ${image} failed: a request to registry ${registry} ran into docker's own deadline (deadline exceeded): the registry or the network is too slow; retry later.`
  }
}

function isGhcr(registry: string): boolean {
  return registry.toLowerCase() === 'ghcr.io'
}
