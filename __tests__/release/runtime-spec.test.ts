import { BUILT_IN_SPEC, describeSpecSource, limitsFrom, runtimeSpecFromFiles } from '../../src/release/runtime-spec.js'
import { limitsConfigYaml, replicatedChartYaml, runtimeValuesYaml } from './runtime-fixtures.js'

const CA = '/etc/openhands/ca-bundle/ca-bundle.crt'
const COMMAND = ['/usr/local/bin/openhands-agent-server', '--port', '60000']

describe('runtimeSpecFromFiles: the warm-runtime spec of one release', () => {
  it('current shape: the chart defaults, the Replicated values over them, the CA variables mirrored in, templates and URLs emptied', () => {
    const read = runtimeSpecFromFiles({
      runtimeValues: runtimeValuesYaml(),
      replicatedChart: replicatedChartYaml(),
      config: limitsConfigYaml('4096Mi', '2000m')
    })
    expect(read).toEqual({
      spec: {
        command: COMMAND,
        port: 60000,
        workingDir: '/workspace/project',
        environment: {
          CURL_CA_BUNDLE: CA,
          LMNR_BASE_URL: '',
          LMNR_PROJECT_API_KEY: '',
          LOG_JSON: '1',
          NODE_EXTRA_CA_CERTS: CA,
          OH_ALLOW_CORS_ORIGINS_0: '',
          OH_BASH_EVENTS_DIR: '/workspace/bash_events',
          OH_CONVERSATIONS_PATH: '/workspace/conversations',
          OH_ENABLE_VNC: '0',
          OH_VSCODE_PORT: '60001',
          OH_WEBHOOKS_0_BASE_URL: '',
          REQUESTS_CA_BUNDLE: CA,
          SSL_CERT_FILE: CA,
          WORKER_1: '12000'
        },
        runAsUser: 10001,
        runAsGroup: 10001,
        fsGroup: 10001,
        memoryLimit: '4096Mi',
        cpuLimit: '2000m'
      },
      warmFrom: ['charts/openhands/charts/runtime-api/values.yaml', 'replicated/openhands.yaml'],
      limitsFromConfig: true
    })
  })

  it('without the CA block: no CA variable, so no bundle to mount; templates and URLs still emptied', () => {
    const read = runtimeSpecFromFiles({ runtimeValues: runtimeValuesYaml({ workingDir: '/workspace' }), replicatedChart: replicatedChartYaml({ ca: false }) })
    expect(Object.keys(read.spec.environment).filter(name => /CA|CERT/.test(name))).toEqual([])
    // Replicated's values win over the chart's, as Helm layers them.
    expect(read.spec.workingDir).toBe('/workspace/project')
    expect(runtimeSpecFromFiles({ runtimeValues: runtimeValuesYaml({ workingDir: '/workspace' }) }).spec.workingDir).toBe('/workspace')
    expect(read.spec.environment.OH_WEBHOOKS_0_BASE_URL).toBe('')
    expect(read.spec.environment.OH_CONVERSATIONS_PATH).toBe('/workspace/conversations')
    // No config.yaml: the limits are the built-in ones.
    expect([read.spec.memoryLimit, read.spec.cpuLimit, read.limitsFromConfig]).toEqual(['2048Mi', '1000m', false])
  })

  it('without the warm config (an old release): nothing read, the built-in spec stands in; the limits still come from config.yaml', () => {
    const read = runtimeSpecFromFiles({
      runtimeValues: runtimeValuesYaml({ warm: false }),
      replicatedChart: 'apiVersion: kots.io/v1beta2\nkind: HelmChart\nspec:\n  values:\n    runtime-api:\n      replicaCount: 1\n',
      config: limitsConfigYaml('3072Mi', undefined)
    })
    expect(read.warmFrom).toEqual([])
    expect(read.spec).toEqual({ ...BUILT_IN_SPEC, memoryLimit: '3072Mi' })
    expect(read.limitsFromConfig).toBe(true)
  })

  it('the legacy configs list wins over configsByName when it is not empty; its port is the one in its command', () => {
    const read = runtimeSpecFromFiles({ runtimeValues: runtimeValuesYaml({ legacyList: true }) })
    expect([read.spec.workingDir, read.spec.port, read.spec.command]).toEqual(['/legacy', 61000, ['/usr/local/bin/openhands-agent-server', '--port', '61000']])
  })

  it.each([
    ['not YAML', 'warmRuntimes: [unclosed'],
    ['empty', ''],
    ['a list', '- a\n- b\n']
  ])('a values file that is %s names no spec', (_name, text) => {
    expect(runtimeSpecFromFiles({ runtimeValues: text }).warmFrom).toEqual([])
  })
})

describe('limitsFrom: the Admin Console defaults', () => {
  it.each([
    [limitsConfigYaml('2048Mi', '1000m'), { memoryLimit: '2048Mi', cpuLimit: '1000m' }],
    [limitsConfigYaml(undefined, '500m'), { cpuLimit: '500m' }],
    [limitsConfigYaml(undefined, undefined), {}],
    ['kind: Config\n', {}]
  ])('%#', (text, limits) => {
    expect(limitsFrom(text)).toEqual(limits)
  })
})

describe('describeSpecSource', () => {
  it.each([
    [{ kind: 'release', release: '0.50.0', files: ['replicated/openhands.yaml'] } as const, 'release 0.50.0 (replicated/openhands.yaml)'],
    [
      { kind: 'built-in', release: '0.50.0', reason: 'agent-server-version is pinned' } as const,
      'built-in from openhands/0.50.0 (agent-server-version is pinned)'
    ]
  ])('%#', (source, shown) => {
    expect(describeSpecSource(source)).toBe(shown)
  })
})
