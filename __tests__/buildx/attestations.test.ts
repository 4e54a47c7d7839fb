import {
  parseBuilderDriver,
  parseProvenance,
  parseSbom,
  planAttestations,
  usesContainerdStore,
  type AttestationSettings,
  type AttestationSupport,
  type Provenance
} from '../../src/buildx/attestations.js'
import { UserError } from '../../src/errors.js'

describe('parseProvenance', () => {
  // [input, parsed]: build-push-action's accepted forms.
  const rows: Array<[string, Provenance]> = [
    ['', { mode: 'min', attrs: [] }],
    ['true', { mode: 'min', attrs: [] }],
    ['TRUE', { mode: 'min', attrs: [] }],
    ['false', false],
    ['False', false],
    ['mode=min', { mode: 'min', attrs: [] }],
    ['mode=max', { mode: 'max', attrs: [] }],
    [' mode=max , builder-id=https://ci.example/run/1 ', { mode: 'max', attrs: ['builder-id=https://ci.example/run/1'] }],
    ['builder-id=https://ci.example/run/1', { mode: 'min', attrs: ['builder-id=https://ci.example/run/1'] }],
    ['mode=min,inline-only=true', { mode: 'min', attrs: ['inline-only=true'] }],
    ['mode=max,version=v1', { mode: 'max', attrs: ['version=v1'] }],
    ['mode=max,disabled=true', false],
    ['mode=max,disabled=false', { mode: 'max', attrs: [] }]
  ]
  test.each(rows)('%j', (text, parsed) => {
    expect(parseProvenance(text)).toEqual(parsed)
  })

  const bad: Array<[string, string]> = [
    [
      'yes',
      "provenance 'yes' is not a provenance setting: 'yes' is not one of mode, builder-id, inline-only, disabled, version, reproducible, filename=<value>."
    ],
    ['mode=full', "provenance 'mode=full': mode 'full' is not supported."],
    ['mode=', "provenance 'mode=' is not a provenance setting: 'mode=' is not one of"],
    ['mode=max,color=red', "'color=red' is not one of"],
    ['disabled=maybe', "provenance 'disabled=maybe': disabled 'maybe' is not a boolean."]
  ]
  test.each(bad)('rejects %j with the expected form', (text, message) => {
    let thrown: unknown
    try {
      parseProvenance(text)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(UserError)
    expect((thrown as Error).message).toContain(message)
    expect((thrown as Error).message).toContain('Expected true, false, or attributes such as mode=min, mode=max')
  })
})

describe('parseSbom', () => {
  it.each([
    ['', false],
    ['false', false],
    ['true', {}],
    ['True', {}],
    ['generator=127.0.0.1:5000/tools/scanner:1', { generator: '127.0.0.1:5000/tools/scanner:1' }]
  ])('%j', (text, parsed) => {
    expect(parseSbom(text)).toEqual(parsed)
  })

  it('rejects anything else with the expected form', () => {
    expect(() => parseSbom('yes')).toThrow(new UserError("sbom 'yes' is not an SBOM setting. Expected true, false, or generator=<scanner image>."))
  })
})

describe('planAttestations', () => {
  const containerd: AttestationSupport = { driver: 'docker', containerdStore: true }
  const classic: AttestationSupport = { driver: 'docker', containerdStore: false }
  const container: AttestationSupport = { driver: 'docker-container', containerdStore: false }
  const run = 'https://github.com/acme/sandbox/actions/runs/42/attempts/1'
  const min: AttestationSettings = { provenance: { mode: 'min', attrs: [] }, sbom: false }
  const max: AttestationSettings = { provenance: { mode: 'max', attrs: [] }, sbom: {} }
  const scanner = '127.0.0.1:5000/tools/sbom-scanner:1'
  const off = ['--provenance', 'false', '--sbom', 'false']

  // [row, what, settings, support, builder id, secret-looking args, args, attached, notice?, recorded]
  const rows: Array<[number, string, AttestationSettings, AttestationSupport, string | undefined, string[], string[], boolean, boolean, string[]]> = [
    [
      1,
      'the default: min mode with the run as builder-id',
      min,
      containerd,
      run,
      [],
      ['--provenance', `mode=min,builder-id=${run}`, '--sbom', 'false'],
      true,
      false,
      []
    ],
    [2, 'off a runner: no builder-id', min, containerd, undefined, [], ['--provenance', 'mode=min', '--sbom', 'false'], true, false, []],
    [3, 'max mode and an SBOM', max, container, run, [], ['--provenance', `mode=max,builder-id=${run}`, '--sbom', 'true'], true, false, []],
    [
      4,
      "the user's builder-id wins, other attributes kept in order",
      { provenance: { mode: 'max', attrs: ['inline-only=true', 'builder-id=https://x/1'] }, sbom: false },
      containerd,
      run,
      [],
      ['--provenance', 'mode=max,inline-only=true,builder-id=https://x/1', '--sbom', 'false'],
      true,
      false,
      []
    ],
    [5, 'only an SBOM', { provenance: false, sbom: {} }, containerd, run, [], ['--provenance', 'false', '--sbom', 'true'], true, false, []],
    [6, 'nothing asked: both turned off, no notice', { provenance: false, sbom: false }, classic, run, [], off, false, false, []],
    [7, 'the classic store: turned off, with a notice', max, classic, run, ['API_TOKEN'], off, false, true, []],
    [
      8,
      'max mode records secret-looking args',
      max,
      containerd,
      run,
      ['API_TOKEN', 'NPM_AUTH'],
      ['--provenance', `mode=max,builder-id=${run}`, '--sbom', 'true'],
      true,
      false,
      ['API_TOKEN', 'NPM_AUTH']
    ],
    [
      9,
      'min mode records no build arg values',
      min,
      containerd,
      run,
      ['API_TOKEN'],
      ['--provenance', `mode=min,builder-id=${run}`, '--sbom', 'false'],
      true,
      false,
      []
    ],
    [
      10,
      'a remote builder keeps them whatever the engine',
      min,
      { driver: 'remote', containerdStore: false },
      run,
      [],
      ['--provenance', `mode=min,builder-id=${run}`, '--sbom', 'false'],
      true,
      false,
      []
    ]
  ]
  rows.push([
    11,
    'an SBOM by a scanner image of its own',
    { provenance: false, sbom: { generator: scanner } },
    containerd,
    run,
    [],
    ['--provenance', 'false', '--sbom', `generator=${scanner}`],
    true,
    false,
    []
  ])
  test.each(rows)('%i: %s', (_row, _what, settings, support, builderId, secretArgs, args, attached, notice, recorded) => {
    const plan = planAttestations(settings, support, builderId, secretArgs)
    expect(plan.args).toEqual(args)
    expect(plan.attached).toBe(attached)
    expect(plan.notice !== undefined).toBe(notice)
    expect(plan.recorded).toEqual(recorded)
    // A --load keeps them only where the docker driver writes to a containerd image store.
    expect(plan.keptByLoad).toBe(attached && support.driver === 'docker' && support.containerdStore)
  })

  test.each([
    ['docker driver, containerd store', { driver: 'docker', containerdStore: true }, true],
    ['docker-container builder', { driver: 'docker-container', containerdStore: false }, false],
    ['docker-container builder on a containerd store', { driver: 'docker-container', containerdStore: true }, false]
  ])('kept by a --load: %s', (_what, support, kept) => {
    expect(planAttestations(min, support, undefined, []).keptByLoad).toBe(kept)
  })

  it.each([
    [min, 'SLSA provenance (mode=min)'],
    [max, 'SLSA provenance (mode=max) and an SBOM'],
    [{ provenance: false, sbom: {} } as AttestationSettings, 'an SBOM'],
    [{ provenance: false, sbom: false } as AttestationSettings, '']
  ])('names what was asked for: %j', (settings, asked) => {
    expect(planAttestations(settings, classic, run, []).asked).toBe(asked)
  })

  it('says what was asked for and how to keep it', () => {
    expect(planAttestations(max, classic, run, []).notice).toBe(
      "The image is pushed without SLSA provenance (mode=max) and an SBOM: the docker driver on Docker's classic image store cannot keep attestations. " +
        'Turn on the containerd image store (Docker 24+, "features": {"containerd-snapshotter": true}) or use a docker-container builder ' +
        '(docker/setup-buildx-action) to attach them, or set provenance: false and sbom: false to silence this notice.'
    )
  })
})

describe('engine facts', () => {
  it.each([
    ['Name:   default\nDriver: docker\n\nNodes:\n', 'docker'],
    ['Name:          builder\nDriver:        docker-container\nLast Activity: 2026-12-07\n', 'docker-container'],
    ['Name: x\n', undefined]
  ])('the driver of %j', (inspect, driver) => {
    expect(parseBuilderDriver(inspect)).toBe(driver)
  })

  it.each([
    // Docker 20.10, overlay2 on the classic store (docker info --format '{{json .DriverStatus}}').
    ['[["Backing Filesystem","extfs"],["Supports d_type","true"],["Native Overlay Diff","true"],["userxattr","false"]]', false],
    // Docker 26 with the containerd image store.
    ['[["driver-type","io.containerd.snapshotter.v1"]]', true],
    ['null', false]
  ])('the image store of %s', (status, containerd) => {
    expect(usesContainerdStore(status)).toBe(containerd)
  })
})
