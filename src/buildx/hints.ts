/** How many of buildx's error lines a message quotes: the cause is at the end, the log group holds the rest. */
const MAX_ERROR_LINES = 4
/** How many lines of the failed step's output (buildx's `------` excerpt) a message quotes. */
const MAX_STEP_LINES = 3

interface Hint {
  pattern: RegExp
  hint: string
  /** Also looked for in the failed step's own output (only causes no RUN output could fake). */
  inStepOutput?: boolean
  /** Given only when no specific cause is known. */
  generic?: boolean
}

/**
 * Known causes, matched line by line against real docker/buildx texts (see __tests__/build/fixtures/buildx-errors).
 * A line gets the first hint that matches it, so a specific cause comes before a general one that would also match:
 * `docker.sock: connect: connection refused` is the daemon, not the registry; `pull access denied` is a FROM image;
 * `no match for platform …: not found` is the platform, not a missing tag.
 */
const hints: Hint[] = [
  {
    // @actions/exec's own text when docker is not on PATH.
    pattern: /Unable to locate executable file: docker\b|docker: (?:command )?not found|spawn docker ENOENT/i,
    hint: 'Docker is not installed on this runner. GitHub-hosted Ubuntu runners have it; on a self-hosted runner install Docker Engine with the buildx plugin.'
  },
  {
    // Without the plugin, docker parses `buildx build --progress …` as its own flags: "unknown flag: --progress"
    // followed by docker's top-level usage. Newer CLIs say "unknown command: docker buildx" for a bare call.
    pattern: /'buildx' is not a docker command|unknown command:? "?(?:docker )?buildx\b|^Usage:\s+docker \[OPTIONS\] COMMAND/i,
    hint: 'The docker buildx plugin is missing: add a docker/setup-buildx-action step before this one, or install the docker-buildx-plugin package on the runner.'
  },
  {
    pattern: /permission denied while trying to connect to the Docker daemon/i,
    hint: "The runner's user may not use Docker: add it to the docker group on the self-hosted runner."
  },
  {
    pattern: /Cannot connect to the Docker daemon|docker\.sock: connect:|Is the docker daemon running/i,
    hint: 'The Docker daemon is not running or not reachable: start Docker on the runner (or fix DOCKER_HOST), or set builder to a remote buildx builder.'
  },
  {
    pattern: /no builder "?[^"\s]*"? found|failed to find builder/i,
    hint: 'The builder named in builder does not exist: create it before this step (docker/setup-buildx-action or docker buildx create); this action never creates a builder.'
  },
  {
    pattern: /Cache export is not supported for the docker driver/i,
    hint: 'cache-to needs a builder other than the default docker driver: add a docker/setup-buildx-action step (docker-container driver) before this one, or drop cache-to.'
  },
  {
    // An arm64 runner without QEMU: the RUN's own output says "exec /bin/sh: exec format error".
    inStepOutput: true,
    pattern: /no match for platform|exec format error|does not support linux\/amd64/i,
    hint: "The builder cannot produce linux/amd64: on an arm64 runner add a docker/setup-qemu-action step before this one, or set builder to an amd64 builder. 'no match for platform' can also mean an image in FROM has no linux/amd64 variant."
  },
  {
    pattern: /failed to (?:create LLB definition|resolve source metadata)\b.*: not found|pull access denied|manifest unknown/i,
    hint: 'An image named in FROM does not exist or cannot be read: check that its tag exists, and for a private registry that this step may pull from it (registry-username/registry-password or docker/login-action).'
  },
  {
    pattern:
      /\bunauthorized\b|authentication required|(?<!permission )\bdenied\b|insufficient_scope|no basic auth credentials|\b40[13] (?:Unauthorized|Forbidden)\b/i,
    hint: 'The registry refused the credentials: check registry-username and registry-password (for ghcr.io a token allowed to write packages), or log in with a docker/login-action step before this one.'
  },
  {
    pattern: /server gave HTTP response to HTTPS client/i,
    hint: 'The registry speaks plain HTTP: serve it over HTTPS, or declare it an insecure registry in the Docker daemon (or BuildKit) configuration.'
  },
  {
    pattern: /connection refused|no such host|i\/o timeout|network is unreachable|TLS handshake timeout/i,
    hint: 'The registry is unreachable: check the registry host and port in repository, and that the registry is up and reachable from the runner.'
  },
  {
    pattern: /toomanyrequests|\b429 Too Many Requests\b|rate limit exceeded/i,
    hint: 'The registry throttled the requests (HTTP 429): wait and run the job again; for Docker Hub bases, log in (docker/login-action) for a higher pull limit.'
  },
  {
    pattern: /\b5\d\d (?:Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)\b/i,
    hint: 'The registry failed (HTTP 5xx): retry later or check its status.'
  },
  {
    pattern: /connection reset by peer|use of closed network connection|broken pipe|unexpected EOF/i,
    hint: 'The connection to the registry was reset or closed: a proxy, load balancer or the registry dropped it; retry later.'
  },
  {
    pattern: /context deadline exceeded|Client\.Timeout exceeded/i,
    hint: 'A request ran into its deadline: the registry or the network is too slow, or a proxy holds the connection; retry later.'
  },
  {
    // The agent-server base runs as openhands (10001), and BuildKit mounts secrets root-only (0400) by default.
    inStepOutput: true,
    pattern: /\/run\/secrets\/[^\s:']+'?:? Permission denied/i,
    hint: 'A secret was mounted but is readable by root only, and the base runs as openhands: mount it with uid=10001 (RUN --mount=type=secret,id=…,uid=10001) or read it in a USER root step.'
  },
  {
    pattern: /secret [^\s:]+:? not found/i,
    hint: 'A RUN --mount=type=secret needs a secret this step does not pass: add id=value for that id to the secrets input.'
  },
  {
    // BuildKit ≥ 0.9: "did not complete successfully: exit code: N"; older: "executor failed running [...]: exit code: N".
    generic: true,
    pattern: /did not complete successfully: exit code|executor failed running/i,
    hint: 'A RUN instruction failed: its output is in the build log group above.'
  }
]

/**
 * The message for a failed `docker buildx build` or `docker login`: buildx's own error lines (the last few, without
 * repeats or colour codes), the last lines of the failed step's output as buildx excerpts them, and, where the cause
 * is known, what to do about it.
 */
export function explainBuildFailure(stderrLines: string[]): string {
  const lines = stderrLines.map(line => stripAnsi(line).trimEnd()).filter(line => line.trim() !== '' && !isLogNoise(line))
  const errors = errorLines(lines)
  const quoted = errors.length > 0 ? errors : lines.slice(-MAX_ERROR_LINES).map(line => line.trim())
  const step = failedStepExcerpt(lines)
  const parts = [quoted.length > 0 ? quoted.join('\n') : 'docker failed without an error message.']
  if (step && step.output.length > 0) parts.push([step.title, ...step.output.map(line => `  ${line}`)].join('\n'))
  const found = matchingHints(
    quoted,
    step?.output ?? [],
    lines.filter(line => !isStepOutput(line))
  )
  for (const hint of found) parts.push(`Hint: ${hint}`)
  return parts.join('\n')
}

/**
 * buildx's summary of the failed step: `------`, ` > [2/2] RUN make:`, the step's last output lines, `------`.
 * The last such block, its output lines without their timestamps, the last few only.
 */
function failedStepExcerpt(lines: string[]): { title: string; output: string[] } | undefined {
  let excerpt: { title: string; output: string[] } | undefined
  for (let index = 0; index < lines.length; index++) {
    const title = lines[index + 1]?.trim() ?? ''
    if (lines[index]?.trim() !== '------' || !title.startsWith('> ')) continue
    const output: string[] = []
    let end = index + 2
    for (; end < lines.length && lines[end]?.trim() !== '------'; end++) {
      output.push((lines[end] ?? '').trim().replace(/^\d+(?:\.\d+)?\s+/, ''))
    }
    excerpt = { title, output: output.slice(-MAX_STEP_LINES) }
    index = end
  }
  return excerpt
}

/**
 * The Dockerfile line buildx blames, from the excerpt newer buildx versions print (`Dockerfile:12` above a `----`
 * rule), so the error annotation lands on that line. `fileName` is the Dockerfile's base name, as buildx shows it.
 */
export function failedDockerfileLine(stderrLines: string[], fileName: string): number | undefined {
  const lines = stderrLines.map(line => stripAnsi(line).trim())
  let found: number | undefined
  lines.forEach((line, index) => {
    if (!line.startsWith(`${fileName}:`) || !/^-{4,}$/.test(lines[index + 1] ?? '')) return
    const number = Number(line.slice(fileName.length + 1))
    if (Number.isInteger(number) && number > 0) found = number
  })
  return found
}

export function stripAnsi(text: string): string {
  // CSI sequences (colours, cursor moves) and OSC sequences (titles, links).
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '').replace(/\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g, '')
}

/** `ERROR: …`, `#12 ERROR: …`, `error: …`, `Error response from daemon: …`, `docker: …`, `unknown flag: …`. */
function errorLines(lines: string[]): string[] {
  const candidates = lines
    .map(line => line.trim())
    .filter(line => /^(?:#\d+\s+(?:\d+(?:\.\d+)?\s+)?)?(?:ERROR|error|Error)\b[:\s]/.test(line) || /^(?:docker: |unknown (?:shorthand )?flag: )/.test(line))
  const kept: string[] = []
  for (const line of candidates) {
    const message = errorMessage(line)
    // buildx repeats a step's error (`#5 ERROR: x`) in its final `ERROR: failed to solve: x`: keep one, the fuller,
    // or on a tie the later, which carries no step number.
    const repeat = kept.findIndex(other => errorMessage(other).includes(message) || message.includes(errorMessage(other)))
    if (repeat >= 0) {
      if (message.length >= errorMessage(kept[repeat] ?? '').length) {
        kept.splice(repeat, 1)
        kept.push(line)
      }
      continue
    }
    kept.push(line)
  }
  return kept.slice(-MAX_ERROR_LINES)
}

function errorMessage(line: string): string {
  return line
    .replace(/^#\d+\s+(?:\d+(?:\.\d+)?\s+)?/, '')
    .replace(/^(?:ERROR|error|Error)(?: response from daemon)?:?\s*/, '')
    .replace(/^failed to solve:\s*/, '')
    .trim()
}

/** The CLI's own debug/info log lines (e.g. each endpoint docker login tried): the next line says it plainly. */
function isLogNoise(line: string): boolean {
  return /^time="[^"]*" level=(?:trace|debug|info|warning)\b/.test(line.trim())
}

/** What a RUN printed (`#7 0.312 …`, or ` 0.312 …` in buildx's excerpt): the build's business, not docker's. */
function isStepOutput(line: string): boolean {
  return /^#\d+\s+\d+(?:\.\d+)?\s/.test(line.trim()) || /^\d+(?:\.\d+)?\s/.test(line.trim())
}

/**
 * The hints for the quoted error lines and (for causes marked so) the failed step's output; only when those name no
 * known cause, the hints for docker's other lines.
 */
function matchingHints(quoted: string[], stepOutput: string[], others: string[]): string[] {
  const rounds: Array<Array<[string, Hint[]]>> = [
    [...quoted.map((line): [string, Hint[]] => [line, hints]), ...stepOutput.map((line): [string, Hint[]] => [line, hints.filter(hint => hint.inStepOutput)])],
    others.map((line): [string, Hint[]] => [line, hints])
  ]
  for (const round of rounds) {
    const found = new Set<Hint>()
    for (const [line, candidates] of round) {
      const hint = candidates.find(candidate => candidate.pattern.test(line))
      if (hint) found.add(hint)
    }
    const specific = hints.filter(hint => found.has(hint) && !hint.generic)
    const chosen = specific.length > 0 ? specific : hints.filter(hint => found.has(hint))
    if (chosen.length > 0) return chosen.map(hint => hint.hint)
  }
  return []
}
