import { childEnv, GHA_CACHE_NAMES, usesGhaCache } from '../src/child-env.js'

const runner = {
  PATH: '/usr/bin',
  HOME: '/home/runner',
  DOCKER_CONFIG: '/tmp/cfg',
  DOCKER_HOST: 'tcp://h:2376',
  BUILDX_BUILDER: 'b',
  BUILDKIT_PROGRESS: 'plain',
  http_proxy: 'http://p:3128',
  HTTPS_PROXY: 'http://p:3128',
  NO_PROXY: 'localhost',
  SSH_AUTH_SOCK: '/tmp/agent.sock',
  'INPUT_REGISTRY-PASSWORD': 'pw',
  INPUT_SECRETS: 'a=b',
  INPUT_DOCKER_ENV: 'x',
  GITHUB_TOKEN: 'gh',
  ACTIONS_RUNTIME_TOKEN: 'rt',
  ACTIONS_CACHE_URL: 'https://cache',
  AWS_PROFILE: 'ci',
  UNSET: undefined
}

// [row, extra names, names passed]
const rows: Array<[number, string[], string[]]> = [
  [1, [], ['PATH', 'HOME', 'DOCKER_CONFIG', 'DOCKER_HOST', 'BUILDX_BUILDER', 'BUILDKIT_PROGRESS', 'http_proxy', 'HTTPS_PROXY', 'NO_PROXY', 'SSH_AUTH_SOCK']],
  [
    2,
    ['AWS_PROFILE'],
    [
      'PATH',
      'HOME',
      'DOCKER_CONFIG',
      'DOCKER_HOST',
      'BUILDX_BUILDER',
      'BUILDKIT_PROGRESS',
      'http_proxy',
      'HTTPS_PROXY',
      'NO_PROXY',
      'SSH_AUTH_SOCK',
      'AWS_PROFILE'
    ]
  ],
  // INPUT_* never, even when listed.
  [
    3,
    ['INPUT_SECRETS', 'INPUT_REGISTRY-PASSWORD'],
    ['PATH', 'HOME', 'DOCKER_CONFIG', 'DOCKER_HOST', 'BUILDX_BUILDER', 'BUILDKIT_PROGRESS', 'http_proxy', 'HTTPS_PROXY', 'NO_PROXY', 'SSH_AUTH_SOCK']
  ],
  [
    4,
    [...GHA_CACHE_NAMES],
    [
      'PATH',
      'HOME',
      'DOCKER_CONFIG',
      'DOCKER_HOST',
      'BUILDX_BUILDER',
      'BUILDKIT_PROGRESS',
      'http_proxy',
      'HTTPS_PROXY',
      'NO_PROXY',
      'SSH_AUTH_SOCK',
      'ACTIONS_RUNTIME_TOKEN',
      'ACTIONS_CACHE_URL'
    ]
  ]
]

test.each(rows)('%i: childEnv passes exactly the expected names', (_row, extra, names) => {
  const env = childEnv(runner, extra)
  expect(Object.keys(env).sort()).toEqual([...names].sort())
  for (const name of names) expect(env[name]).toBe(runner[name as keyof typeof runner])
})

test.each([
  [['type=gha'], true],
  [['type=registry,ref=r/a:cache', 'type=gha,scope=x'], true],
  [['mode=max, type = gha'], true],
  [['type=local,src=/tmp/gha'], false],
  [[], false]
])('usesGhaCache(%j) = %p', (entries, expected) => {
  expect(usesGhaCache(entries)).toBe(expected)
})
