import { sdkMismatch } from '../../src/verify/boot.js'
import { singleFileOfTar } from '../../src/verify/docker-image.js'
import { tarOf } from './support.js'
import { secretLookingBuildArgs } from '../../src/buildx/secret-args.js'
import { instructionLine } from '../../src/verify/instruction-line.js'
import { diffIdMismatch } from '../../src/verify/push.js'
import { makeRedactor } from '../../src/verify/redact.js'
import { baseFacts } from '../../src/verify/verify.js'
import type { ImageConfigResult } from '../../src/registry/client.js'
import { checksummed, random } from '../secrets/fixtures.js'

describe('sdkMismatch', () => {
  it.each<[string | undefined, string, string | undefined]>([
    ['1.23.0', '1.23.0', undefined],
    ['1.23.7', '1.23.0', undefined],
    ['v1.23.0', '1.23.0', undefined],
    ['1.23.0', '1.23.0-python', undefined],
    [
      '1.24.0',
      '1.23.0',
      '/server_info reports sdk_version 1.24.0, but the target agent-server is 1.23.0: OHE refuses a sandbox whose SDK major.minor differs (1.24 vs 1.23). Do not replace or upgrade the agent server in the image'
    ],
    [
      '2.23.0',
      '1.23.0',
      '/server_info reports sdk_version 2.23.0, but the target agent-server is 1.23.0: OHE refuses a sandbox whose SDK major.minor differs (2.23 vs 1.23). Do not replace or upgrade the agent server in the image'
    ],
    [undefined, '1.23.0', '/server_info has no sdk_version; OHE compares it with its own (1.23)'],
    ['dev', '1.23.0', "/server_info reports sdk_version 'dev', not a version"],
    ['1.24.0', 'latest', undefined]
  ])('sdk_version %j against target %j', (sdk, target, message) => {
    expect(sdkMismatch(sdk, target)).toBe(message)
  })
})

describe("baseFacts: which of the image's layers are the base", () => {
  const base: ImageConfigResult = {
    digest: 'sha256:manifest',
    configDigest: 'sha256:config',
    config: { diffIds: ['sha256:a', 'sha256:b'], Env: ['PATH=/usr/bin'], Labels: { vendor: 'openhands' } },
    layers: [
      { digest: 'sha256:ga', size: 10 },
      { digest: 'sha256:gb', size: 20 }
    ]
  }
  const ref = 'ghcr.io/openhands/agent-server:1.23.0-python'
  it.each<[string, Parameters<typeof baseFacts>[0], string[], ReturnType<typeof baseFacts>]>([
    [
      'a prefix: its layers, Env, Labels and blobs',
      base,
      ['sha256:a', 'sha256:b', 'sha256:c'],
      {
        layers: 2,
        env: ['PATH=/usr/bin'],
        labels: { vendor: 'openhands' },
        blobs: new Map([
          ['sha256:ga', 10],
          ['sha256:gb', 20]
        ])
      }
    ],
    [
      'not a prefix: none, every layer scanned',
      base,
      ['sha256:a', 'sha256:x', 'sha256:c'],
      { layers: 0, env: [], labels: {}, unknown: `the image's first layers are not ${ref}'s, so every layer was scanned` }
    ],
    [
      'unread: none, with the reason',
      { unknown: 'no agent-server base was resolved' },
      ['sha256:a'],
      { layers: 0, env: [], labels: {}, unknown: 'no agent-server base was resolved' }
    ]
  ])('%s', (_, read, diffIds, expected) => {
    expect(baseFacts(read, ref, diffIds)).toEqual(expected)
  })
})

describe('diffIdMismatch', () => {
  const a = 'sha256:' + 'a'.repeat(64)
  const b = 'sha256:' + 'b'.repeat(64)
  const c = 'sha256:' + 'c'.repeat(64)
  it.each<[string[], string[], string | undefined]>([
    [[a, b], [a, b], undefined],
    [[], [], undefined],
    [[a, b], [a, c], `layer 2: verified ${b}, registry ${c} (2 vs 2 layers)`],
    [[a, b], [a], `layer 2: verified ${b}, registry (none) (2 vs 1 layers)`],
    [[a], [a, b], `layer 2: verified (none), registry ${b} (1 vs 2 layers)`]
  ])('%j vs %j', (verified, pushed, message) => {
    expect(diffIdMismatch(verified, pushed)).toBe(message)
  })
})

describe('instructionLine', () => {
  const dockerfile = [
    'FROM base:1.23.0-python',
    'ARG NPM_TOKEN',
    'USER root',
    'RUN apt-get update \\',
    '    && apt-get install -y git',
    'RUN --mount=type=cache,target=/root/.npm echo "//r/:_authToken=$NPM_TOKEN" > /root/.npmrc',
    'copy deploy_key /root/.ssh/id_ed25519',
    'ENV GITHUB_TOKEN=$TOKEN',
    'USER openhands'
  ].join('\n')
  it.each<[string, number | undefined]>([
    ['RUN apt-get update && apt-get install -y git', 4],
    ['RUN echo "//r/:_authToken=$NPM_TOKEN" > /root/.npmrc (with build args NPM_TOKEN)', 6],
    ['COPY deploy_key /root/.ssh/id_ed25519', 7],
    ['ENV GITHUB_TOKEN=…', 8],
    ['RUN something else', undefined],
    ['(unknown)', undefined]
  ])('%j is at line %j', (instruction, line) => {
    expect(instructionLine(dockerfile, instruction)).toBe(line)
  })
})

describe('secretLookingBuildArgs', () => {
  it('names build args whose name or value looks like a secret, never plain versions and URLs', () => {
    const args = {
      AGENT_SERVER_VERSION: '1.23.0',
      REPO_URL: 'https://github.com/acme/tools',
      NPM_TOKEN: random(24),
      DB_PASSWORD: 'x1y2z3w4',
      API_KEY: random(20),
      GH: checksummed('ghp_'),
      EMPTY_TOKEN: '',
      TOKENIZER_MODEL: 'bert'
    }
    expect(secretLookingBuildArgs(args)).toEqual(['NPM_TOKEN', 'DB_PASSWORD', 'API_KEY', 'GH'])
  })
})

describe('makeRedactor', () => {
  it('hides known values and anything the rules detect, and keeps the rest of the line', () => {
    const known = random(24)
    const token = checksummed('ghp_')
    const redact = makeRedactor([known, 'short'])
    expect(redact(`starting with key ${known}`)).toBe('starting with key ***')
    expect(redact(`cloning with ${token} now`)).toBe(`cloning with ${token.slice(0, 4)}… (40 chars) now`)
    expect(redact('a short line')).toBe('a short line')
  })
})

describe('singleFileOfTar: the file `docker cp <container>:/etc/passwd -` writes', () => {
  it('reads the first file of a tar read as text, and nothing from a short answer', async () => {
    const passwd = 'root:x:0:0:root:/root:/bin/sh\nopenhands:x:10001:10001:openhands:/home/openhands:/bin/sh\n'
    expect(singleFileOfTar((await tarOf({ passwd })).toString('utf8'))).toBe(passwd)
    expect(singleFileOfTar('Error: No such container')).toBeUndefined()
  })
})
