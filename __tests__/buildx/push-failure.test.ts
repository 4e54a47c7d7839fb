/**
 * The push failure classifier on buildx/dockerd stderr as the fault-injecting proxy of __tests__/stack/faults.test.ts
 * produced it (docker CLI 28, buildx 0.13, dockerd 20.10, docker driver), on the docker-container driver's form, and
 * on `docker push`'s own output (the verified path).
 */
import { buildFailureMessage } from '../../src/buildx/build.js'
import { classifyPushFailure, pushFailureMessage, reachedPush, type PushFailureClass } from '../../src/buildx/push-failure.js'
import { pushedDigest } from '../../src/verify/push.js'
import { testInputs } from '../support/inputs.js'

const pushStep = (error: string): string[] => [
  '#7 exporting to image',
  '#7 naming to 127.0.0.1:40307/i9-probe/app:x done',
  '#8 pushing 127.0.0.1:40307/i9-probe/app:x with docker',
  '#8 pushing layer 526f77382d68 0.0s done',
  `#8 ERROR: ${error}`,
  '------',
  ' > pushing 127.0.0.1:40307/i9-probe/app:x with docker:',
  '------',
  `ERROR: ${error}`
]

// [row, stderr lines, class or undefined, retryAfter]
const rows: Array<[number, string[], PushFailureClass | undefined, number | undefined]> = [
  [1, pushStep('received unexpected HTTP status: 500 Internal Server Error'), 'server', undefined],
  [2, pushStep('received unexpected HTTP status: 503 Service Unavailable'), 'server', undefined],
  [3, pushStep('toomanyrequests: slow down'), 'throttled', undefined],
  [4, pushStep('toomanyrequests: retry-after: 30 too many requests'), 'throttled', 30],
  [5, pushStep('denied: requested access to the resource is denied'), 'denied', undefined],
  [6, pushStep('unauthorized: authentication required'), 'unauthorized', undefined],
  [7, pushStep('no basic auth credentials'), 'unauthorized', undefined],
  [8, pushStep('write tcp 127.0.0.1:45552->127.0.0.1:33465: use of closed network connection'), 'reset', undefined],
  [9, pushStep('read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer'), 'reset', undefined],
  [10, pushStep('Put "http://127.0.0.1:1/v2/a/manifests/t": EOF'), 'reset', undefined],
  [11, pushStep('Get "http://127.0.0.1:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused'), 'unreachable', undefined],
  [12, pushStep('Get "https://r.example/v2/": dial tcp: lookup r.example: no such host'), 'unreachable', undefined],
  [13, pushStep('Put "https://r.example/v2/a/blobs/uploads/x": context deadline exceeded'), 'deadline', undefined],
  // dockerd's read-back after the upload: the push step is DONE, the error follows without a step.
  [
    14,
    [
      '#8 pushing 127.0.0.1:1/a:t with docker',
      '#8 pushing layer c9f43d61b115 0.5s done',
      '#8 DONE 0.9s',
      'ERROR: Error response from daemon: received unexpected HTTP status: 500 Internal Server Error'
    ],
    'server',
    undefined
  ],
  // The docker-container driver pushes inside "exporting to image".
  [
    15,
    [
      '#9 exporting to image',
      '#9 pushing layers',
      '#9 ERROR: failed to push r.example/a:t: unexpected status from PUT request to https://r.example/v2/a/manifests/t: 502 Bad Gateway',
      'ERROR: failed to solve: failed to push r.example/a:t: unexpected status from PUT request to https://r.example/v2/a/manifests/t: 502 Bad Gateway'
    ],
    'server',
    undefined
  ],
  // A RUN that fails (and prints a 500 of its own) is no push failure.
  [
    16,
    [
      '#6 [2/2] RUN curl https://x',
      '#6 0.3 HTTP 500 Internal Server Error',
      '#6 ERROR: process "/bin/sh -c curl https://x" did not complete successfully: exit code: 22',
      'ERROR: failed to solve: process "/bin/sh -c curl https://x" did not complete successfully: exit code: 22'
    ],
    undefined,
    undefined
  ],
  // A FROM that cannot be read is no push failure either.
  [
    17,
    [
      '#3 [internal] load metadata for r.example/base:1',
      '#3 ERROR: unexpected status code 500 Internal Server Error',
      'ERROR: failed to solve: r.example/base:1: unexpected status code 500 Internal Server Error'
    ],
    undefined,
    undefined
  ],
  [18, pushStep('something nobody has seen'), undefined, undefined]
]

test.each(rows)('%i: classifies the push failure', (_row, lines, expected, retryAfter) => {
  const failure = classifyPushFailure(lines)
  expect(failure?.class).toBe(expected)
  expect(failure?.retryAfter).toBe(retryAfter)
})

test('reachedPush: only when a push step was printed', () => {
  expect(reachedPush(pushStep('x'))).toBe(true)
  expect(reachedPush(rows[15]?.[1] ?? [])).toBe(false)
})

describe('pushFailureMessage names the image, the registry and what to do', () => {
  const target = { image: 'ghcr.io/acme/app:1', registry: 'ghcr.io', account: 'registry-username bot' }
  test.each([
    [
      'server',
      3,
      'Pushing ghcr.io/acme/app:1 failed (3 attempts): registry ghcr.io answered with a server error (HTTP 5xx): the registry failed; retry later or check its status.'
    ],
    [
      'throttled',
      1,
      'Pushing ghcr.io/acme/app:1 failed: registry ghcr.io throttled the push (HTTP 429 too many requests): wait and run the job again, or push less often.'
    ],
    [
      'unauthorized',
      1,
      'Pushing ghcr.io/acme/app:1 failed: registry ghcr.io did not accept the credentials of registry-username bot (HTTP 401): check registry-username/registry-password, or the docker login for ghcr.io before this step.'
    ],
    [
      'unreachable',
      1,
      'Pushing ghcr.io/acme/app:1 failed: registry ghcr.io cannot be reached from the runner: check the host and port in repository, and that the registry is up and reachable.'
    ],
    [
      'reset',
      2,
      'Pushing ghcr.io/acme/app:1 failed (2 attempts): the connection to registry ghcr.io was reset or closed during the upload: a proxy, load balancer or the registry dropped it; retry later.'
    ],
    [
      'deadline',
      1,
      "Pushing ghcr.io/acme/app:1 failed: a request to registry ghcr.io ran into docker's own deadline (deadline exceeded): the registry or the network is too slow; retry later."
    ]
  ] as Array<[PushFailureClass, number, string]>)('%s', (kind, attempts, message) => {
    expect(pushFailureMessage({ class: kind, line: '' }, target, attempts)).toBe(message)
  })

  test('429 with a Retry-After says how long', () => {
    expect(pushFailureMessage({ class: 'throttled', line: '', retryAfter: 30 }, target, 1)).toContain('(HTTP 429 too many requests, retry after 30 s)')
  })

  test("403 names the account, and for ghcr.io the package's Manage Actions access", () => {
    expect(pushFailureMessage({ class: 'denied', line: '' }, target, 1)).toBe(
      'Pushing ghcr.io/acme/app:1 failed: registry ghcr.io denied registry-username bot write access to the repository (HTTP 403): give that account push rights; ' +
        `for ghcr.io open the package's settings, "Manage Actions access", and give this repository the Write role (or push with a token that has write:packages).`
    )
    expect(pushFailureMessage({ class: 'denied', line: '' }, { ...target, registry: 'r.example', image: 'r.example/a:1' }, 1)).toBe(
      'Pushing r.example/a:1 failed: registry r.example denied registry-username bot write access to the repository (HTTP 403): give that account push rights.'
    )
  })
})

/**
 * `docker push`'s own stderr (the verified path pushes with the engine): docker CLI 28 against dockerd 20.10, through
 * __tests__/stack/fault-proxy.ts. The CLI prints the registry's error bare, with no `ERROR:` or step around it.
 */
describe('docker push output (pushOnly)', () => {
  // [what the proxy injected, docker push's stderr, class]
  const dockerPush: Array<[string, string[], PushFailureClass | undefined]> = [
    ['500 on every manifest PUT', ['received unexpected HTTP status: 500 Internal Server Error'], 'server'],
    // dockerd retries a failed blob upload itself (5, 10, 15, 20 s) before giving up with the same line.
    ['500 on every blob upload PUT', ['received unexpected HTTP status: 500 Internal Server Error'], 'server'],
    ['429 TOOMANYREQUESTS on every upload start (Retry-After: 1, not printed)', ['toomanyrequests: slow down'], 'throttled'],
    ['429 TOOMANYREQUESTS on every manifest PUT', ['toomanyrequests: slow down'], 'throttled'],
    ['403 DENIED on the upload start', ['denied'], 'denied'],
    ['a registry that is down', ['Get "http://127.0.0.1:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused'], 'unreachable'],
    ['nothing known', ['something nobody has seen'], undefined]
  ]

  test.each(dockerPush)('%s', (_fault, stderr, expected) => {
    expect(classifyPushFailure(stderr, true)?.class).toBe(expected)
  })

  test('the same bare lines from buildx are not taken for a push failure (no push step was printed)', () => {
    for (const [, stderr] of dockerPush) expect(classifyPushFailure(stderr)).toBeUndefined()
  })

  test.each([
    [
      ['received unexpected HTTP status: 500 Internal Server Error'],
      3,
      'Pushing 127.0.0.1:41105/acme/app:t1 failed (3 attempts): registry 127.0.0.1:41105 answered with a server error (HTTP 5xx): the registry failed; retry later or check its status.\n' +
        'received unexpected HTTP status: 500 Internal Server Error\nHint: The registry failed (HTTP 5xx): retry later or check its status.'
    ],
    [
      ['denied'],
      1,
      'Pushing 127.0.0.1:41105/acme/app:t1 failed: registry 127.0.0.1:41105 denied registry-username ci write access to the repository (HTTP 403): give that account push rights.\ndenied\n' +
        'Hint: The registry refused the credentials: check registry-username and registry-password (for ghcr.io a token allowed to write packages), or log in with a docker/login-action step before this one.'
    ],
    [
      ['toomanyrequests: slow down'],
      3,
      'Pushing 127.0.0.1:41105/acme/app:t1 failed (3 attempts): registry 127.0.0.1:41105 throttled the push (HTTP 429 too many requests): wait and run the job again, or push less often.\n' +
        'toomanyrequests: slow down\n' +
        'Hint: The registry throttled the requests (HTTP 429): wait and run the job again; for Docker Hub bases, log in (docker/login-action) for a higher pull limit.'
    ],
    [
      ['something nobody has seen'],
      1,
      'docker push of 127.0.0.1:41105/acme/app:t1 to registry 127.0.0.1:41105 failed (exit code 1):\nsomething nobody has seen'
    ]
  ])('buildFailureMessage names the image and the registry: %j', (stderr, attempts, message) => {
    const inputs = testInputs('/w', { repository: '127.0.0.1:41105/acme/app', 'registry-username': 'ci', 'registry-password': 'x' })
    const run = { exitCode: 1, stderr, stdout: '' }
    expect(buildFailureMessage(run, classifyPushFailure(stderr, true), attempts, inputs, '127.0.0.1:41105/acme/app:t1', 'docker push')).toBe(message)
  })
})

test('pushedDigest: the digest docker push printed last', () => {
  const digest = `sha256:${'ab'.repeat(32)}`
  expect(pushedDigest(`The push refers to repository [r/a]\n2d9fd7a8f807: Pushed\nt1: digest: ${digest} size: 735\n`)).toBe(digest)
  expect(pushedDigest('The push refers to repository [r/a]\n')).toBeUndefined()
})
