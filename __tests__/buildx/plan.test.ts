/**
 * Inputs -> exact buildx argv (issue 4, "The build"): each row changes the typed Inputs fixture and the facts the
 * earlier phases know, and pins the whole command line buildxArgs(planBuild(...)) gives.
 */
import { buildxArgs } from '../../src/buildx/argv.js'
import { planBuild, type PlanFacts } from '../../src/buildx/plan.js'
import { resolveTags } from '../../src/buildx/tags.js'
import { UserError } from '../../src/errors.js'
import type { Inputs } from '../../src/inputs.js'
import { testInputs } from '../support/inputs.js'

const CONTEXT = '/w'
const REPO = 'ghcr.io/acme/sandbox'
const SHA = '0123456789abcdef0123456789abcdef01234567'
const DIGEST = 'sha256:' + 'ab'.repeat(32)
const BASE = 'ghcr.io/openhands/agent-server:1.23.0-python'
const oci = 'org.opencontainers.image'

/** What a run on a runner knows: a commit, a repository page, the base and its digest. */
const facts: Omit<PlanFacts, 'refs'> = {
  release: '1.23.0',
  sha: SHA,
  created: new Date('2025-11-26T18:35:00Z'),
  repositoryUrl: 'https://github.com/acme/sandbox',
  baseReference: BASE,
  baseDigest: DIGEST,
  secretFiles: [],
  metadataFile: '/t/metadata.json'
}

/** Every row pushes to REPO unless it changes `repository` or `push`. */
function inputs(changes: Partial<Inputs>): Inputs {
  return testInputs(CONTEXT, { repository: REPO, ...changes })
}

/** As main.ts does: the run's tags resolved once from the inputs, then the plan. */
function plan(given: Inputs, factChanges: Partial<PlanFacts> = {}): ReturnType<typeof planBuild> {
  const known = { ...facts, ...factChanges }
  const { refs } = resolveTags({ repository: given.repository, tag: given.tag, 'extra-tags': given['extra-tags'], release: known.release, sha: known.sha })
  return planBuild(given, { ...known, refs })
}

function argv(changes: Partial<Inputs>, factChanges: Partial<PlanFacts>): string[] {
  return buildxArgs(plan(inputs(changes), factChanges))
}

const head = ['buildx', 'build', '--progress', 'plain', '--platform', 'linux/amd64', '--file', '/w/Dockerfile']
const push = ['--metadata-file', '/t/metadata.json', '--push', '/w']
const noPush = ['--metadata-file', '/t/metadata.json', '--output', 'type=cacheonly', '/w']
const label = (key: string, value: string): string[] => ['--label', `${oci}.${key}=${value}`]
const source = label('source', 'https://github.com/acme/sandbox')
const revision = label('revision', SHA)
const created = label('created', '2025-11-26T18:35:00.000Z')
const version = label('version', '1.23.0')
const baseName = label('base.name', BASE)
const baseDigest = label('base.digest', DIGEST)
/** What the image was built for: the agent-server version (and the OHE release, when one was resolved). */
const builtFor = ['--label', 'dev.openhands.agent-server.version=1.23.0']
/** The OCI labels of a run that knows everything, in their fixed order. */
const labels = [...source, ...revision, ...created, ...version, ...baseName, ...baseDigest, ...builtFor]
const defaultTag = ['--tag', `${REPO}:1.23.0-0123456`]

// [row, what, Inputs changes, facts changes, exact argv]
const rows: Array<[number, string, Partial<Inputs>, Partial<PlanFacts>, string[]]> = [
  [1, 'defaults: push, the tag <release>-<sha7>, every OCI label', {}, {}, [...head, ...defaultTag, ...labels, ...push]],
  [
    2,
    'an explicit tag replaces the default; extra-tags follow it, a repeated one only once',
    { tag: '1.23', 'extra-tags': ['latest', '1.23', 'stable', 'latest'] },
    {},
    [...head, ...['--tag', `${REPO}:1.23`, '--tag', `${REPO}:latest`, '--tag', `${REPO}:stable`], ...labels, ...push]
  ],
  [
    3,
    'an extra tag equal to the default tag is not given twice',
    { 'extra-tags': ['1.23.0-0123456', 'latest'] },
    {},
    [...head, ...defaultTag, '--tag', `${REPO}:latest`, ...labels, ...push]
  ],
  [
    4,
    'no repository and push false: built into the cache without any --tag',
    { repository: '', push: false, 'extra-tags': ['latest'] },
    {},
    [...head, ...labels, ...noPush]
  ],
  [5, 'push false with a repository keeps the tags but writes to the cache only', { push: false }, {}, [...head, ...defaultTag, ...labels, ...noPush]],
  [
    6,
    'a target stage and a Dockerfile elsewhere',
    { target: 'runtime', file: '/w/docker/Sandbox.Dockerfile' },
    {},
    [
      ...['buildx', 'build', '--progress', 'plain', '--platform', 'linux/amd64', '--file', '/w/docker/Sandbox.Dockerfile'],
      ...['--target', 'runtime', ...defaultTag],
      ...labels,
      ...push
    ]
  ],
  [
    7,
    'build-args in the order given, values whole and unquoted',
    { 'build-args': { TOOLS_REF: 'v1.2', AGENT_RELEASE: '1.23.0', GREETING: '$(whoami); echo "a b=c"' } },
    {},
    [
      ...[...head, ...defaultTag, ...labels],
      ...['--build-arg', 'TOOLS_REF=v1.2', '--build-arg', 'AGENT_RELEASE=1.23.0', '--build-arg', 'GREETING=$(whoami); echo "a b=c"'],
      ...push
    ]
  ],
  [
    8,
    'the labels input overrides an OCI label in its place and adds its own after',
    { labels: { [`${oci}.version`]: '2025.11-acme', 'com.acme.team': 'platform' } },
    {},
    [
      ...[...head, ...defaultTag, ...source, ...revision, ...created],
      ...label('version', '2025.11-acme'),
      ...[...baseName, ...baseDigest, ...builtFor, '--label', 'com.acme.team=platform'],
      ...push
    ]
  ],
  [
    9,
    'secrets by id and temp file, in the order of the secrets input',
    {
      secrets: [
        { id: 'npm_token', value: 'npm-value-1' },
        { id: 'pip.conf', value: '[global]\nindex-url = https://u:p@pypi.example/simple' }
      ]
    },
    {
      secretFiles: [
        { id: 'pip.conf', path: '/t/s/secret-2' },
        { id: 'npm_token', path: '/t/s/secret-1' }
      ]
    },
    [...[...head, ...defaultTag, ...labels], ...['--secret', 'id=npm_token,src=/t/s/secret-1', '--secret', 'id=pip.conf,src=/t/s/secret-2'], ...push]
  ],
  [
    10,
    'cache-from and cache-to lists, one flag per entry, in order',
    {
      'cache-from': ['type=gha', `type=registry,ref=${REPO}:cache`],
      'cache-to': ['type=gha,mode=max', `type=registry,ref=${REPO}:cache,mode=max`]
    },
    {},
    [
      ...[...head, ...defaultTag, ...labels],
      ...['--cache-from', 'type=gha', '--cache-from', `type=registry,ref=${REPO}:cache`],
      ...['--cache-to', 'type=gha,mode=max', '--cache-to', `type=registry,ref=${REPO}:cache,mode=max`],
      ...push
    ]
  ],
  [
    11,
    'an existing builder by name, right after build',
    { builder: 'remote-amd64' },
    {},
    [
      ...['buildx', 'build', '--builder', 'remote-amd64', '--progress', 'plain', '--platform', 'linux/amd64', '--file', '/w/Dockerfile'],
      ...[...defaultTag, ...labels],
      ...push
    ]
  ],
  [
    12,
    'base digest unknown (push false skips the lookup): base.name without base.digest',
    {},
    { baseDigest: undefined },
    [...head, ...defaultTag, ...source, ...revision, ...created, ...version, ...baseName, ...builtFor, ...push]
  ],
  [
    13,
    'no base known at all: neither base label',
    {},
    { baseReference: undefined, baseDigest: undefined },
    [...head, ...defaultTag, ...source, ...revision, ...created, ...version, ...builtFor, ...push]
  ],
  [
    14,
    'no sha (a local run): the tag <release>-local and no revision label',
    {},
    { sha: undefined },
    [...head, '--tag', `${REPO}:1.23.0-local`, ...source, ...created, ...version, ...baseName, ...baseDigest, ...builtFor, ...push]
  ],
  [
    15,
    'an empty sha counts as none',
    {},
    { sha: '' },
    [...head, '--tag', `${REPO}:1.23.0-local`, ...source, ...created, ...version, ...baseName, ...baseDigest, ...builtFor, ...push]
  ],
  [
    16,
    'no repository page known: no source label',
    {},
    { repositoryUrl: undefined },
    [...head, ...defaultTag, ...revision, ...created, ...version, ...baseName, ...baseDigest, ...builtFor, ...push]
  ],
  [
    17,
    'everything at once, in the fixed order',
    {
      repository: '127.0.0.1:5000/acme/sandbox',
      builder: 'k8s',
      target: 'final',
      tag: 'pr-42',
      'extra-tags': ['pr-latest'],
      labels: { 'com.acme.pr': '42' },
      'build-args': { A: '1' },
      secrets: [{ id: 's', value: 'row-17-secret-value' }],
      'cache-from': ['type=local,src=/c'],
      'cache-to': ['type=local,dest=/c'],
      push: false
    },
    { sha: undefined, baseDigest: undefined, oheRelease: '0.23.1', secretFiles: [{ id: 's', path: '/t/secret-1' }], metadataFile: '/t/m.json' },
    [
      ...['buildx', 'build', '--builder', 'k8s', '--progress', 'plain', '--platform', 'linux/amd64', '--file', '/w/Dockerfile'],
      ...['--target', 'final', '--tag', '127.0.0.1:5000/acme/sandbox:pr-42', '--tag', '127.0.0.1:5000/acme/sandbox:pr-latest'],
      ...[...source, ...created, ...version, ...baseName, ...builtFor, '--label', 'dev.openhands.ohe.release=0.23.1', '--label', 'com.acme.pr=42'],
      ...['--build-arg', 'A=1', '--secret', 'id=s,src=/t/secret-1'],
      ...['--cache-from', 'type=local,src=/c', '--cache-to', 'type=local,dest=/c'],
      ...['--metadata-file', '/t/m.json', '--output', 'type=cacheonly', '/w']
    ]
  ]
]

describe('buildxArgs(planBuild(inputs, facts))', () => {
  test.each(rows)('%i: %s', (_row, _what, changes, factChanges, expected) => {
    expect(argv(changes, factChanges)).toEqual(expected)
  })

  test('rows are numbered 1..n in order', () => {
    expect(rows.map(([row]) => row)).toEqual(rows.map((_, index) => index + 1))
  })

  test('no secret value, nor a line of one, reaches the command line', () => {
    for (const [, , changes, factChanges] of rows) {
      const line = argv(changes, factChanges).join('\n')
      for (const { value } of changes.secrets ?? []) {
        for (const part of [value, ...value.split('\n')]) expect(line).not.toContain(part)
      }
    }
  })

  test('the same inputs and facts give the same plan, and the inputs are left as they were', () => {
    const given = inputs({ 'extra-tags': ['latest'], labels: { a: 'b' }, 'build-args': { A: '1' } })
    const copy = structuredClone(given)
    expect(plan(given)).toEqual(plan(given))
    expect(given).toEqual(copy)
  })
})

describe('planning refuses', () => {
  test('an invalid tag, as a UserError naming the input', () => {
    expect(() => plan(inputs({ tag: '-bad' }))).toThrow(UserError)
    expect(() => plan(inputs({ 'extra-tags': ['a b'] }))).toThrow(/extra-tags: 'a b' is not a valid Docker tag/)
  })

  test('a secret without its temp file, rather than an id with no source', () => {
    const withSecret = inputs({ secrets: [{ id: 'npm_token', value: 'npm-value' }] })
    const thrown = (() => {
      try {
        plan(withSecret)
      } catch (error) {
        return error
      }
      return undefined
    })()
    expect(thrown).toEqual(new Error("No temp file was written for build secret 'npm_token'."))
    // A fault of the caller, not of the user's inputs.
    expect(thrown).not.toBeInstanceOf(UserError)
  })
})

describe('planBuild for the verify phase (issue 11)', () => {
  test('loadAs: the one local tag, --load, never --push; secret-files and ssh forwarded', () => {
    const changes: Partial<Inputs> = {
      'secret-files': [{ id: 'deploy_key', path: '/w/keys/deploy' }],
      ssh: ['default'],
      'build-args': { A: '1' }
    }
    expect(argv(changes, { loadAs: 'ohe-sandbox-verify:00ff' })).toEqual([
      ...head,
      '--tag',
      'ohe-sandbox-verify:00ff',
      ...labels,
      ...['--build-arg', 'A=1', '--secret', 'id=deploy_key,src=/w/keys/deploy', '--ssh', 'default'],
      // Attestations are off on the loaded image whatever the push gets: theirs would name the local tag.
      ...['--provenance', 'false', '--sbom', 'false'],
      ...['--metadata-file', '/t/metadata.json', '--load', '/w']
    ])
    expect(argv({ ...changes, push: false }, { loadAs: 'ohe-sandbox-verify:00ff' }).slice(-2)).toEqual(['--load', '/w'])
    expect(argv(changes, { loadAs: 'ohe-sandbox-verify:00ff', attestations: ['--provenance', 'mode=max', '--sbom', 'true'] }).slice(-8, -4)).toEqual([
      '--provenance',
      'false',
      '--sbom',
      'false'
    ])
  })

  test('loadAttested: loaded under the run’s tags with the push’s attestations, never --push', () => {
    const attestations = ['--provenance', 'mode=min', '--sbom', 'false']
    const args = argv({}, { loadAttested: true, attestations })
    expect(args.slice(-8)).toEqual([...attestations, '--metadata-file', '/t/metadata.json', '--load', '/w'])
    expect(args).not.toContain('--push')
    expect(args.filter((_, i) => args[i - 1] === '--tag')).toEqual(argv({}, {}).filter((_, i, all) => all[i - 1] === '--tag'))
  })

  test("the push carries the plan's attestations", () => {
    const attestations = ['--provenance', 'mode=max', '--sbom', 'true']
    expect(argv({}, { attestations }).slice(-8)).toEqual([...attestations, '--metadata-file', '/t/metadata.json', '--push', '/w'])
  })
})
