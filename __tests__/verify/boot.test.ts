import tarStream from 'tar-stream'
import type { RuntimeSpec } from '../../src/release/runtime-spec.js'
import {
  bootRunArgs,
  workingDirTar,
  caTargets,
  dockerStatsBytes,
  effectiveCpus,
  envFileText,
  outOfMemory,
  peakMemoryFiles,
  sandboxLimits,
  STARTUP_ALLOWANCE_SECONDS,
  workspaceMount
} from '../../src/verify/boot.js'

const CA = '/etc/openhands/ca-bundle/ca-bundle.crt'
const TMPFS_10003 = 'volume-driver=local,volume-opt=type=tmpfs,volume-opt=device=tmpfs,"volume-opt=o=uid=0,gid=10003,mode=2775"'
const spec: RuntimeSpec = {
  command: ['/usr/local/bin/openhands-agent-server', '--port', '60000'],
  port: 60000,
  workingDir: '/workspace/project',
  environment: { LOG_JSON: '1', OH_WEBHOOKS_0_BASE_URL: '', SSL_CERT_FILE: CA, NODE_EXTRA_CA_CERTS: CA, GIT_SSL_CAINFO: '/etc/git-ca.pem' },
  runAsUser: 10001,
  runAsGroup: 10002,
  fsGroup: 10003,
  memoryLimit: '2048Mi',
  cpuLimit: '1000m'
}

describe('bootRunArgs', () => {
  it('starts the image as the spec does: command for entrypoint, user:group plus the fs group, empty /workspace, CA bundle, limits, loopback', () => {
    const run = { image: 'ohe-sandbox-verify:ab', name: 'ohe-verify-01', hostPort: 43123, envFile: '/t/k.env', caFile: '/t/ca.crt', spec }
    expect(bootRunArgs({ ...run, memoryBytes: 2 ** 31, cpus: 1 })).toEqual([
      ...['run', '--detach', '--name', 'ohe-verify-01', '--platform', 'linux/amd64'],
      ...['--entrypoint', '/usr/local/bin/openhands-agent-server', '--user', '10001:10002', '--group-add', '10003'],
      ...['--mount', `type=volume,source=ohe-verify-01,target=/workspace,volume-nocopy,${TMPFS_10003}`],
      ...['--mount', `type=bind,source=/t/ca.crt,target=${CA},readonly`, '--mount', 'type=bind,source=/t/ca.crt,target=/etc/git-ca.pem,readonly'],
      ...['--workdir', '/workspace/project', '--env-file', '/t/k.env'],
      ...['--memory', '2147483648', '--memory-swap', '2147483648', '--cpus', '1'],
      ...['--publish', '127.0.0.1:43123:60000'],
      ...['ohe-sandbox-verify:ab', '--port', '60000']
    ])
  })

  it('mounts no CA bundle when the spec names none', () => {
    const args = bootRunArgs({
      image: 'i',
      name: 'n',
      hostPort: 1,
      envFile: 'e',
      caFile: 'c',
      spec: { ...spec, environment: { LOG_JSON: '1' } },
      memoryBytes: 1,
      cpus: 1
    })
    expect(args.filter(arg => arg.startsWith('type=bind'))).toEqual([])
  })
})

describe('workingDirTar', () => {
  async function entries(tar: Buffer | undefined): Promise<Array<[string, string, number, number, number]>> {
    if (!tar) return []
    const found: Array<[string, string, number, number, number]> = []
    const extract = tarStream.extract()
    extract.on('entry', (header, stream, next) => {
      found.push([header.name, header.type ?? '', header.mode ?? 0, header.uid ?? -1, header.gid ?? -1])
      stream.resume()
      next()
    })
    await new Promise<void>((resolve, reject) => {
      extract.on('finish', resolve).on('error', reject)
      extract.end(tar)
    })
    return found
  }

  it.each([
    ['/workspace/project', [['project/', 'directory', 0o2775, 10001, 10003]]],
    [
      '/workspace/a/b',
      [
        ['a/', 'directory', 0o2775, 10001, 10003],
        ['a/b/', 'directory', 0o2775, 10001, 10003]
      ]
    ],
    ['/workspace', []],
    ['/home/openhands', []],
    ['/workspace/../etc', []]
  ])('%s: the folders the runtime user can write, in the fs group', async (workingDir, expected) => {
    expect(await entries(workingDirTar(workingDir, 10001, 10003))).toEqual(expected)
  })
})

/** A CSV row as docker's --mount reads it (Go's encoding/csv): a field in double quotes keeps its commas. */
function parseCsvRow(row: string): string[] {
  return [...row.matchAll(/"([^"]*)"|([^,]+)/g)].map(match => match[1] ?? match[2] ?? '')
}

describe('the sandbox volume and environment', () => {
  it('creates /workspace as an empty tmpfs volume owned by root and the fs group, setgid, group-writable', () => {
    expect(workspaceMount('ohe-verify-01', 10003)).toBe(`type=volume,source=ohe-verify-01,target=/workspace,volume-nocopy,${TMPFS_10003}`)
    // The mount's CSV syntax: the quoted option is one field, its commas kept.
    expect(parseCsvRow(workspaceMount('v', 7))).toEqual([
      ...['type=volume', 'source=v', 'target=/workspace', 'volume-nocopy', 'volume-driver=local'],
      ...['volume-opt=type=tmpfs', 'volume-opt=device=tmpfs', 'volume-opt=o=uid=0,gid=7,mode=2775']
    ])
  })

  it('writes the spec environment (empty values kept empty) and the session key last; no name can smuggle a line', () => {
    expect(envFileText({ LOG_JSON: '1', OH_WEBHOOKS_0_BASE_URL: '', 'BAD NAME': 'x', OH_SESSION_API_KEYS_0: 'theirs', MULTI: 'a\nb' }, 'k3y')).toBe(
      'LOG_JSON=1\nOH_WEBHOOKS_0_BASE_URL=\nMULTI=a b\nOH_SESSION_API_KEYS_0=k3y\n'
    )
  })

  it('mounts the CA bundle at each distinct absolute path the CA variables name', () => {
    expect(caTargets(spec.environment)).toEqual([CA, '/etc/git-ca.pem'])
    expect(caTargets({ SSL_CERT_FILE: '', CURL_CA_BUNDLE: 'relative.crt', LOG_JSON: '/x' })).toEqual([])
  })
})

describe('limits and deadlines', () => {
  it.each<[{ memory?: number; cpus?: number }, { memoryBytes: number; cpus: number }]>([
    [{}, { memoryBytes: 2048 * 2 ** 20, cpus: 1 }],
    [{ memory: 2 ** 30 }, { memoryBytes: 2 ** 30, cpus: 1 }],
    [
      { memory: 2 ** 30, cpus: 0.5 },
      { memoryBytes: 2 ** 30, cpus: 0.5 }
    ]
  ])('sandboxLimits(spec, %j)', (inputs, limits) => {
    expect(sandboxLimits(spec, inputs)).toEqual(limits)
  })

  it('falls back to the built-in limits when the release wrote something that is not a quantity', () => {
    expect(sandboxLimits({ memoryLimit: 'lots', cpuLimit: '' }, {})).toEqual({ memoryBytes: 2048 * 2 ** 20, cpus: 1 })
    expect(sandboxLimits({ memoryLimit: '4Gi', cpuLimit: '2' }, {})).toEqual({ memoryBytes: 4 * 2 ** 30, cpus: 2 })
  })

  it.each([
    [1, 2, 1],
    [4, 2, 2],
    [1.5, 0, 1.5]
  ])('effectiveCpus(%d, %d cores) = %d', (requested, available, cpus) => {
    expect(effectiveCpus(requested, available)).toBe(cpus)
  })

  it('boot-timeout defaults to what the startup probe allows: 5 s + 30 x 10 s', () => {
    expect(STARTUP_ALLOWANCE_SECONDS).toBe(305)
  })
})

describe('peak memory', () => {
  const id = 'a'.repeat(64)
  it('reads the cgroup v1 memory controller and the v2 unified path from /proc/<pid>/cgroup, then the usual driver paths', () => {
    const v1 = '12:memory:/docker/' + id + '\n4:cpu,cpuacct:/docker/' + id + '\n'
    const v2 = '0::/system.slice/docker-' + id + '.scope\n'
    expect(peakMemoryFiles(v1, id).slice(0, 1)).toEqual([`/sys/fs/cgroup/memory/docker/${id}/memory.max_usage_in_bytes`])
    expect(peakMemoryFiles(v2, id)).toEqual([
      `/sys/fs/cgroup/system.slice/docker-${id}.scope/memory.peak`,
      `/sys/fs/cgroup/memory/docker/${id}/memory.max_usage_in_bytes`,
      `/sys/fs/cgroup/system.slice/docker-${id}.scope/memory.peak`,
      `/sys/fs/cgroup/docker/${id}/memory.peak`
    ])
    expect(peakMemoryFiles('', 'not-an-id')).toEqual([])
  })

  it.each([
    ['12.5MiB / 64MiB', 13107200],
    ['1.2GiB / 2GiB', Math.round(1.2 * 2 ** 30)],
    ['900kB / 2GiB', 900000],
    ['-- / --', undefined]
  ])('docker stats %j -> %s bytes', (text, bytes) => {
    expect(dockerStatsBytes(text)).toBe(bytes)
  })

  it('says out of memory, the limit and where it is set', () => {
    expect(outOfMemory(64 * 2 ** 20, 'the server was killed (exit code 137)')).toBe(
      "out of memory: the server was killed (exit code 137) by the kernel for going over the sandbox's memory limit of 64Mi. " +
        "OHE gives every sandbox this limit (the Admin Console's Sandbox Memory Limit, or sandbox-memory here): make the image need less at start, or raise both"
    )
  })
})
