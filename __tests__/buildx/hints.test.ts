import { readFileSync } from 'node:fs'
import path from 'node:path'
import { explainBuildFailure, failedDockerfileLine, stripAnsi } from '../../src/buildx/hints.js'

/**
 * Real stderr of docker 28.2 CLI / buildx 0.13.1 / dockerd 20.10 (BuildKit 0.8), captured on the e2e stack with the
 * command each name says (see fixtures/buildx-errors/README.md).
 */
const fixture = (name: string): string[] => readFileSync(path.join(import.meta.dirname, 'fixtures', 'buildx-errors', `${name}.txt`), 'utf8').split('\n')

const hint = {
  docker:
    'Hint: Docker is not installed on this runner. GitHub-hosted Ubuntu runners have it; on a self-hosted runner install Docker Engine with the buildx plugin.',
  buildx:
    'Hint: The docker buildx plugin is missing: add a docker/setup-buildx-action step before this one, or install the docker-buildx-plugin package on the runner.',
  daemon:
    'Hint: The Docker daemon is not running or not reachable: start Docker on the runner (or fix DOCKER_HOST), or set builder to a remote buildx builder.',
  builder:
    'Hint: The builder named in builder does not exist: create it before this step (docker/setup-buildx-action or docker buildx create); this action never creates a builder.',
  cacheTo:
    'Hint: cache-to needs a builder other than the default docker driver: add a docker/setup-buildx-action step (docker-container driver) before this one, or drop cache-to.',
  from: 'Hint: An image named in FROM does not exist or cannot be read: check that its tag exists, and for a private registry that this step may pull from it (registry-username/registry-password or docker/login-action).',
  auth: 'Hint: The registry refused the credentials: check registry-username and registry-password (for ghcr.io a token allowed to write packages), or log in with a docker/login-action step before this one.',
  platform:
    "Hint: The builder cannot produce linux/amd64: on an arm64 runner add a docker/setup-qemu-action step before this one, or set builder to an amd64 builder. 'no match for platform' can also mean an image in FROM has no linux/amd64 variant.",
  unreachable: 'Hint: The registry is unreachable: check the registry host and port in repository, and that the registry is up and reachable from the runner.',
  secret: 'Hint: A RUN --mount=type=secret needs a secret this step does not pass: add id=value for that id to the secrets input.',
  run: 'Hint: A RUN instruction failed: its output is in the build log group above.',
  secretRootOnly:
    'Hint: A secret was mounted but is readable by root only, and the base runs as openhands: mount it with uid=10001 (RUN --mount=type=secret,id=…,uid=10001) or read it in a USER root step.',
  daemonUser: "Hint: The runner's user may not use Docker: add it to the docker group on the self-hosted runner.",
  http: 'Hint: The registry speaks plain HTTP: serve it over HTTPS, or declare it an insecure registry in the Docker daemon (or BuildKit) configuration.'
}

// [row, real text, exact message]
const realRows: Array<[number, string, string[]]> = [
  [1, 'login-wrong', ['Error response from daemon: login attempt to http://127.0.0.1:5000/v2/ failed with status: 401 Unauthorized', hint.auth]],
  [2, 'push-nocreds', ['ERROR: no basic auth credentials', hint.auth]],
  [3, 'login-refused', ['Error response from daemon: Get "http://127.0.0.1:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused', hint.unreachable]],
  // The CLI logging in by itself (daemon unreachable) prints its attempts as info lines; only the plain line is quoted.
  [4, 'login-refused-cli', ['Get "http://127.0.0.1:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused', hint.unreachable]],
  [5, 'push-refused', ['ERROR: Get "http://127.0.0.1:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused', hint.unreachable]],
  [
    6,
    'run-fails',
    [
      'ERROR: failed to solve: executor failed running [/bin/sh -c echo "installing tools" && exit 3]: exit code: 3',
      '> [2/2] RUN echo "installing tools" && exit 3:',
      '  installing tools',
      hint.run
    ]
  ],
  [
    7,
    'exec-format',
    ['ERROR: failed to solve: executor failed running [/bin/sh -c true]: exit code: 1', '> [2/2] RUN true:', '  exec /bin/sh: exec format error', hint.platform]
  ],
  [
    8,
    'no-match-platform',
    [
      'ERROR: failed to solve: rpc error: code = Unknown desc = failed to solve with frontend dockerfile.v0: failed to create LLB definition: no match for platform in manifest sha256:5c4362ca2b50645f71608577e6043956b850119854bcf4a27593a23a8e505508: not found',
      hint.platform
    ]
  ],
  [9, 'secret-missing', ['ERROR: failed to solve: secret npm_token not found: not found', hint.secret]],
  [
    10,
    'secret-root-only',
    [
      'ERROR: failed to solve: executor failed running [/bin/sh -c cat /run/secrets/tool_token]: exit code: 1',
      '> [2/2] RUN --mount=type=secret,id=tool_token cat /run/secrets/tool_token:',
      "  cat: can't open '/run/secrets/tool_token': Permission denied",
      hint.secretRootOnly
    ]
  ],
  [
    11,
    'base-missing',
    [
      'ERROR: failed to solve: rpc error: code = Unknown desc = failed to solve with frontend dockerfile.v0: failed to create LLB definition: 127.0.0.1:5000/openhands/agent-server:9.9.9-python: not found',
      hint.from
    ]
  ],
  [12, 'builder-missing', ['ERROR: no builder "nope" found', hint.builder]],
  [13, 'cache-to-docker', ['ERROR: Cache export is not supported for the docker driver.', hint.cacheTo]],
  [14, 'daemon-down', ['ERROR: Cannot connect to the Docker daemon at unix:///tmp/bx/none.sock. Is the docker daemon running?', hint.daemon]],
  // Without the plugin docker reads `buildx build --progress plain …` as its own flags.
  [15, 'buildx-missing-cli28', ['unknown flag: --progress', hint.buildx]],
  [16, 'buildx-missing-cli20', ['unknown flag: --progress', hint.buildx]],
  [
    17,
    'docker-missing',
    [
      'Unable to locate executable file: docker. Please verify either the file path exists or the file can be found within a directory specified by the PATH environment variable. Also check the file mode to verify the file is executable.',
      hint.docker
    ]
  ]
]

describe('explainBuildFailure on real texts', () => {
  test.each(realRows)('%i: %s', (_row, name, expected) => {
    expect(explainBuildFailure(fixture(name))).toBe(expected.join('\n'))
  })
})

// Texts the engine here cannot produce (newer BuildKit, other daemons), written as those versions print them.
const otherRows: Array<[number, string, string[], string[]]> = [
  [
    1,
    'newer BuildKit: "did not complete successfully", the step repeated in the final line',
    [
      '#6 [2/2] RUN make',
      '#6 0.311 make: *** No targets specified and no makefile found.  Stop.',
      '#6 ERROR: process "/bin/sh -c make" did not complete successfully: exit code: 2',
      '------',
      ' > [2/2] RUN make:',
      '0.311 make: *** No targets specified and no makefile found.  Stop.',
      '------',
      'Dockerfile:2',
      '--------------------',
      '   1 |     FROM ghcr.io/openhands/agent-server:1.23.0-python',
      '   2 | >>> RUN make',
      '--------------------',
      'ERROR: failed to solve: process "/bin/sh -c make" did not complete successfully: exit code: 2'
    ],
    [
      'ERROR: failed to solve: process "/bin/sh -c make" did not complete successfully: exit code: 2',
      '> [2/2] RUN make:',
      '  make: *** No targets specified and no makefile found.  Stop.',
      hint.run
    ]
  ],
  [
    2,
    'a base with no linux/amd64 variant',
    [
      '#3 [internal] load metadata for docker.io/acme/arm-only:1',
      '#3 ERROR: no match for platform in manifest: not found',
      'ERROR: failed to solve: acme/arm-only:1: failed to resolve source metadata for docker.io/acme/arm-only:1: no match for platform in manifest: not found'
    ],
    [
      'ERROR: failed to solve: acme/arm-only:1: failed to resolve source metadata for docker.io/acme/arm-only:1: no match for platform in manifest: not found',
      hint.platform
    ]
  ],
  [
    3,
    'ghcr.io refusing a token without write:packages',
    [
      '#9 ERROR: failed to push ghcr.io/acme/sandbox:1.23.0-a1b2c3d: unexpected status from POST request: 403 Forbidden',
      'ERROR: failed to solve: failed to push ghcr.io/acme/sandbox:1.23.0-a1b2c3d: unexpected status from POST request: 403 Forbidden'
    ],
    ['ERROR: failed to solve: failed to push ghcr.io/acme/sandbox:1.23.0-a1b2c3d: unexpected status from POST request: 403 Forbidden', hint.auth]
  ],
  [
    4,
    'Docker Hub: denied',
    ['ERROR: failed to solve: failed to push docker.io/acme/sandbox:1: denied: requested access to the resource is denied'],
    ['ERROR: failed to solve: failed to push docker.io/acme/sandbox:1: denied: requested access to the resource is denied', hint.auth]
  ],
  [
    5,
    'a permission problem on a file is not a registry credential problem',
    ['ERROR: failed to solve: failed to read dockerfile: open /w/Dockerfile: permission denied'],
    ['ERROR: failed to solve: failed to read dockerfile: open /w/Dockerfile: permission denied']
  ],
  [
    6,
    'the docker socket refusing the runner user',
    [
      'ERROR: permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/_ping": dial unix /var/run/docker.sock: connect: permission denied'
    ],
    [
      'ERROR: permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/_ping": dial unix /var/run/docker.sock: connect: permission denied',
      hint.daemonUser
    ]
  ],
  [
    7,
    'a daemon socket refusing connections is the daemon, not the registry',
    ['ERROR: failed to dial unix /var/run/docker.sock: connect: connection refused'],
    ['ERROR: failed to dial unix /var/run/docker.sock: connect: connection refused', hint.daemon]
  ],
  [
    8,
    'an HTTP-only registry',
    [
      'ERROR: failed to solve: failed to do request: Head "https://reg.internal:5000/v2/acme/sandbox/blobs/sha256:ab": http: server gave HTTP response to HTTPS client'
    ],
    [
      'ERROR: failed to solve: failed to do request: Head "https://reg.internal:5000/v2/acme/sandbox/blobs/sha256:ab": http: server gave HTTP response to HTTPS client',
      hint.http
    ]
  ],
  [
    9,
    'older CLI without the plugin',
    ["docker: 'buildx' is not a docker command.", "See 'docker --help'"],
    ["docker: 'buildx' is not a docker command.", hint.buildx]
  ],
  [
    10,
    'colour codes are stripped and repeats quoted once',
    ['\u001b[31mERROR: failed to solve: boom\u001b[0m', 'ERROR: failed to solve: boom', '\u001b[1;33mWARNING:\u001b[0m something'],
    ['ERROR: failed to solve: boom']
  ],
  [
    11,
    'only the last four distinct error lines',
    ['error: one', 'error: two', 'error: three', 'error: four', 'error: five'],
    ['error: two', 'error: three', 'error: four', 'error: five']
  ],
  [12, 'no error lines: the last lines instead', ['a', '', 'b', 'c', 'd', 'e'], ['b', 'c', 'd', 'e']],
  [13, 'nothing at all', [], ['docker failed without an error message.']],
  [
    14,
    'a RUN printing "connection refused" does not blame the registry',
    [
      '#5 0.2 curl: (7) Failed to connect to example.internal port 443: Connection refused',
      '------',
      ' > [2/2] RUN curl -fsS https://example.internal/tool.sh | sh:',
      '0.2 curl: (7) Failed to connect to example.internal port 443: Connection refused',
      '------',
      'ERROR: failed to solve: process "/bin/sh -c curl -fsS https://example.internal/tool.sh | sh" did not complete successfully: exit code: 7'
    ],
    [
      'ERROR: failed to solve: process "/bin/sh -c curl -fsS https://example.internal/tool.sh | sh" did not complete successfully: exit code: 7',
      '> [2/2] RUN curl -fsS https://example.internal/tool.sh | sh:',
      '  curl: (7) Failed to connect to example.internal port 443: Connection refused',
      hint.run
    ]
  ]
]

describe('explainBuildFailure: the registry failures a push or a FROM meets', () => {
  test.each([
    ['ERROR: received unexpected HTTP status: 500 Internal Server Error', 'Hint: The registry failed (HTTP 5xx): retry later or check its status.'],
    [
      'ERROR: toomanyrequests: slow down',
      'Hint: The registry throttled the requests (HTTP 429): wait and run the job again; for Docker Hub bases, log in (docker/login-action) for a higher pull limit.'
    ],
    [
      'ERROR: write tcp 127.0.0.1:1->127.0.0.1:2: use of closed network connection',
      'Hint: The connection to the registry was reset or closed: a proxy, load balancer or the registry dropped it; retry later.'
    ],
    [
      'ERROR: failed to do request: Head "https://r.example/v2/a/manifests/1": context deadline exceeded',
      'Hint: A request ran into its deadline: the registry or the network is too slow, or a proxy holds the connection; retry later.'
    ]
  ])('%s', (line, expected) => {
    expect(explainBuildFailure([line])).toBe(`${line}\n${expected}`)
  })
})

describe('explainBuildFailure on other texts', () => {
  test.each(otherRows)('%i: %s', (_row, _what, lines, expected) => {
    expect(explainBuildFailure(lines)).toBe(expected.join('\n'))
  })
})

describe('failedDockerfileLine', () => {
  const excerpt = ['Dockerfile:7', '--------------------', '   7 | >>> RUN make', '--------------------', 'ERROR: failed to solve: x']

  test.each([
    [1, 'the line of buildx excerpt', excerpt, 'Dockerfile', 7],
    [2, 'another file name is not ours', excerpt, 'Sandbox.Dockerfile', undefined],
    [3, 'a custom Dockerfile name', ['Sandbox.Dockerfile:12', '--------------------'], 'Sandbox.Dockerfile', 12],
    [4, 'no excerpt (BuildKit 0.8 prints none)', fixture('run-fails'), 'Fail.Dockerfile', undefined],
    [5, 'a colon line without the rule under it', ['Dockerfile:3 is odd'], 'Dockerfile', undefined]
  ])('%i: %s', (_row, _what, lines, name, expected) => {
    expect(failedDockerfileLine(lines, name)).toBe(expected)
  })
})

test('stripAnsi removes colour and OSC sequences only', () => {
  expect(stripAnsi('\u001b[1;31mERROR\u001b[0m: x \u001b]8;;https://e.x\u0007link\u001b]8;;\u0007')).toBe('ERROR: x link')
})
