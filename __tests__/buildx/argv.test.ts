import { buildxArgs, shownArgs, type BuildPlan } from '../../src/buildx/argv.js'

const base: BuildPlan = {
  platform: 'linux/amd64',
  file: '/w/Dockerfile',
  context: '/w',
  target: '',
  tags: ['ghcr.io/acme/sandbox:1.23.0-a1b2c3d'],
  labels: {},
  buildArgs: {},
  secrets: [],
  cacheFrom: [],
  cacheTo: [],
  builder: '',
  metadataFile: '/t/metadata.json',
  push: true
}

const head = ['buildx', 'build', '--progress', 'plain', '--platform', 'linux/amd64', '--file', '/w/Dockerfile']
const tail = ['--metadata-file', '/t/metadata.json', '--push', '/w']

// [row, what, plan changes, exact argv]
const rows: Array<[number, string, Partial<BuildPlan>, string[]]> = [
  [1, 'the minimal push', {}, [...head, '--tag', 'ghcr.io/acme/sandbox:1.23.0-a1b2c3d', ...tail]],
  [
    2,
    'push false builds to the cache only, with no --push and no --load',
    { push: false },
    [...head, '--tag', 'ghcr.io/acme/sandbox:1.23.0-a1b2c3d', '--metadata-file', '/t/metadata.json', '--output', 'type=cacheonly', '/w']
  ],
  [
    3,
    'push false without a repository: no tag at all',
    { push: false, tags: [] },
    [...head, '--metadata-file', '/t/metadata.json', '--output', 'type=cacheonly', '/w']
  ],
  [
    4,
    'a target stage and a Dockerfile elsewhere',
    { target: 'runtime', file: '/w/docker/Sandbox.Dockerfile' },
    [
      ...['buildx', 'build', '--progress', 'plain', '--platform', 'linux/amd64', '--file', '/w/docker/Sandbox.Dockerfile'],
      ...['--target', 'runtime', '--tag', 'ghcr.io/acme/sandbox:1.23.0-a1b2c3d'],
      ...tail
    ]
  ],
  [
    5,
    'one --tag per tag, in order',
    { tags: ['r.example/a/b:1.23.0-a1b2c3d', 'r.example/a/b:1.23', 'r.example/a/b:latest'] },
    [...head, '--tag', 'r.example/a/b:1.23.0-a1b2c3d', '--tag', 'r.example/a/b:1.23', '--tag', 'r.example/a/b:latest', ...tail]
  ],
  [
    6,
    'labels in order, values with spaces and = kept whole',
    { labels: { 'org.opencontainers.image.version': '1.23.0', 'com.acme.note': 'a b=c' } },
    [
      ...head,
      '--tag',
      'ghcr.io/acme/sandbox:1.23.0-a1b2c3d',
      ...['--label', 'org.opencontainers.image.version=1.23.0', '--label', 'com.acme.note=a b=c'],
      ...tail
    ]
  ],
  [
    7,
    'build args passed as one argument each, shell characters untouched',
    { buildArgs: { TOOLS_REF: 'v1.2', GREETING: '$(whoami); echo "hi"' } },
    [...head, '--tag', 'ghcr.io/acme/sandbox:1.23.0-a1b2c3d', ...['--build-arg', 'TOOLS_REF=v1.2', '--build-arg', 'GREETING=$(whoami); echo "hi"'], ...tail]
  ],
  [
    8,
    'secrets by id and temp file, never by value',
    {
      secrets: [
        { id: 'npm_token', path: '/t/s/secret-1' },
        { id: 'pip.conf', path: '/t/s/secret-2' }
      ]
    },
    [
      ...head,
      '--tag',
      'ghcr.io/acme/sandbox:1.23.0-a1b2c3d',
      ...['--secret', 'id=npm_token,src=/t/s/secret-1', '--secret', 'id=pip.conf,src=/t/s/secret-2'],
      ...tail
    ]
  ],
  [
    9,
    'a temp path with a comma is one quoted CSV field',
    { secrets: [{ id: 'tok', path: '/t/a,b/secret-1' }] },
    [...head, '--tag', 'ghcr.io/acme/sandbox:1.23.0-a1b2c3d', '--secret', 'id=tok,"src=/t/a,b/secret-1"', ...tail]
  ],
  [
    10,
    'cache from and to as given, one flag per line',
    { cacheFrom: ['type=gha', 'type=registry,ref=ghcr.io/acme/sandbox:cache'], cacheTo: ['type=gha,mode=max'] },
    [
      ...head,
      '--tag',
      'ghcr.io/acme/sandbox:1.23.0-a1b2c3d',
      ...['--cache-from', 'type=gha', '--cache-from', 'type=registry,ref=ghcr.io/acme/sandbox:cache', '--cache-to', 'type=gha,mode=max'],
      ...tail
    ]
  ],
  [
    11,
    'an existing builder by name',
    { builder: 'remote-amd64' },
    [
      ...['buildx', 'build', '--builder', 'remote-amd64', '--progress', 'plain', '--platform', 'linux/amd64', '--file', '/w/Dockerfile'],
      '--tag',
      'ghcr.io/acme/sandbox:1.23.0-a1b2c3d',
      ...tail
    ]
  ],
  [
    12,
    'everything at once, in the fixed order',
    {
      builder: 'k8s',
      target: 'final',
      tags: ['127.0.0.1:5000/acme/sandbox:1.23.0-local'],
      labels: { 'org.opencontainers.image.revision': 'abc' },
      buildArgs: { A: '1' },
      secrets: [{ id: 's', path: '/t/secret-1' }],
      cacheFrom: ['type=local,src=/c'],
      cacheTo: ['type=local,dest=/c'],
      push: false
    },
    [
      ...['buildx', 'build', '--builder', 'k8s', '--progress', 'plain', '--platform', 'linux/amd64', '--file', '/w/Dockerfile'],
      ...['--target', 'final', '--tag', '127.0.0.1:5000/acme/sandbox:1.23.0-local'],
      ...['--label', 'org.opencontainers.image.revision=abc', '--build-arg', 'A=1', '--secret', 'id=s,src=/t/secret-1'],
      ...['--cache-from', 'type=local,src=/c', '--cache-to', 'type=local,dest=/c'],
      ...['--metadata-file', '/t/metadata.json', '--output', 'type=cacheonly', '/w']
    ]
  ],
  [
    13,
    'verify: --load under the one local tag instead of --push (every driver: docker-container and remote builders send the tarball to the engine)',
    { tags: ['ohe-sandbox-verify:0123abcd'], load: true },
    [...head, '--tag', 'ohe-sandbox-verify:0123abcd', '--metadata-file', '/t/metadata.json', '--load', '/w']
  ],
  [
    14,
    'verify with push false loads too (load wins over push and over the cache-only output)',
    { tags: ['ohe-sandbox-verify:0123abcd'], load: true, push: false },
    [...head, '--tag', 'ohe-sandbox-verify:0123abcd', '--metadata-file', '/t/metadata.json', '--load', '/w']
  ],
  [
    15,
    'ssh forwards after the secrets, one --ssh each, on a named (e.g. docker-container) builder',
    { builder: 'ci-builder', secrets: [{ id: 'key', path: '/t/deploy_key' }], ssh: ['default', 'github=/home/runner/.ssh/id_ed25519'] },
    [
      ...['buildx', 'build', '--builder', 'ci-builder', '--progress', 'plain', '--platform', 'linux/amd64', '--file', '/w/Dockerfile'],
      ...['--tag', 'ghcr.io/acme/sandbox:1.23.0-a1b2c3d', '--secret', 'id=key,src=/t/deploy_key'],
      ...['--ssh', 'default', '--ssh', 'github=/home/runner/.ssh/id_ed25519'],
      ...tail
    ]
  ],
  [
    16,
    'attestations after the cache, before the output (the attested push)',
    { cacheFrom: ['type=gha'], attestations: ['--provenance', 'mode=min,builder-id=https://x/1', '--sbom', 'true'] },
    [
      ...head,
      ...['--tag', 'ghcr.io/acme/sandbox:1.23.0-a1b2c3d', '--cache-from', 'type=gha'],
      ...['--provenance', 'mode=min,builder-id=https://x/1', '--sbom', 'true'],
      ...tail
    ]
  ],
  [
    17,
    'the load build with attestations off',
    { tags: ['ohe-sandbox-verify:0123abcd'], load: true, attestations: ['--provenance', 'false', '--sbom', 'false'] },
    [...head, '--tag', 'ohe-sandbox-verify:0123abcd', '--provenance', 'false', '--sbom', 'false', '--metadata-file', '/t/metadata.json', '--load', '/w']
  ]
]

describe('buildxArgs', () => {
  test.each(rows)('%i: %s', (_row, _what, changes, expected) => {
    expect(buildxArgs({ ...base, ...changes })).toEqual(expected)
  })

  test('the context is always the last argument, so no value can be taken for it', () => {
    for (const [, , changes] of rows) expect(buildxArgs({ ...base, ...changes }).at(-1)).toBe(changes.context ?? base.context)
  })
})

describe('shownArgs', () => {
  test('the logged command line leaves out every build-arg value, and nothing else', () => {
    const args = buildxArgs({ ...base, buildArgs: { NPM_TOKEN: 'npm_x=y', EMPTY: '' }, labels: { note: 'a=b' } })
    const shown = shownArgs(args)
    expect(shown).toEqual(args.map(arg => (arg === 'NPM_TOKEN=npm_x=y' ? 'NPM_TOKEN=***' : arg === 'EMPTY=' ? 'EMPTY=***' : arg)))
    expect(shown).toContain('note=a=b')
    expect(shown.join(' ')).not.toContain('npm_x')
  })
})
