import { renderSummary } from '../../src/github/summary.js'
import type { VerifyReport } from '../../src/verify/verify.js'

const report = (changes: Partial<VerifyReport> = {}): VerifyReport => ({
  image: 'ohe-sandbox-verify:ab',
  diffIds: [],
  baseLayers: 1,
  secrets: {
    findings: [],
    suppressed: 0,
    examples: 0,
    layersScanned: 2,
    filesScanned: 14,
    bytesScanned: 2_345_000,
    baseLayersSkipped: 1,
    seconds: 0.4,
    bytesPerSecond: 0,
    source: 'loopback'
  },
  boot: { ran: true, ok: true, secondsToHealthy: 3.2, sdkVersion: '1.23.0' },
  size: { layers: 2, uncompressed: 48_200_000, compressed: 17_900_000, compressedSource: 'registry' },
  findings: [],
  problems: [],
  seconds: 4.1,
  ...changes
})

describe('the verify section of the summary and PR comment', () => {
  it('reports the boot as the runtime spec starts it: peak memory against the limit, the spec source, what the sandbox hides or locks', () => {
    const text = renderSummary({
      workspace: '/w',
      verify: report({
        boot: {
          ran: true,
          ok: true,
          secondsToHealthy: 1.4,
          sdkVersion: '1.41.0',
          specSource: 'release 0.50.0 (charts/openhands/charts/runtime-api/values.yaml, replicated/openhands.yaml, replicated/config.yaml)',
          memoryLimit: 2 * 2 ** 30,
          cpus: 1,
          peakMemory: 157 * 2 ** 20,
          peakMemorySource: 'cgroup'
        },
        sandboxFiles: {
          uid: 10001,
          home: '/home/openhands',
          passwd: 'found',
          unwritable: { count: 3, first: [] }
        }
      })
    })
    expect(text).toContain(
      [
        '| Boot as OHE starts it | ✅ healthy in 1.4 s, sdk_version 1.41.0; peak memory 157Mi of 2Gi |',
        '| Runtime spec | release 0.50.0 (charts/openhands/charts/runtime-api/values.yaml, replicated/openhands.yaml, replicated/config.yaml); limits 2Gi, 1 CPU |',
        '| Files the sandbox hides or locks | ✅ nothing under /workspace; ⚠️ 3 path(s) the runtime user cannot write; HOME /home/openhands |'
      ].join('\n')
    )
    const failed = renderSummary({
      workspace: '/w',
      verify: report({
        boot: { ran: true, ok: false, failedProbe: 'memory', problem: 'out of memory: …', memoryLimit: 64 * 2 ** 20, cpus: 1, oomKilled: true },
        sandboxFiles: { uid: 10001, passwd: 'no-entry', workspace: { count: 12, first: [] } }
      })
    })
    expect(failed).toContain('| Boot as OHE starts it | ❌ memory: out of memory: … |')
    expect(failed).toContain(
      "| Files the sandbox hides or locks | ❌ 12 file(s) under /workspace, which the sandbox's volume hides; ⚠️ no passwd entry for uid 10001, HOME is / |"
    )
  })

  it('reports a passed verification: time to healthy and the added size', () => {
    const text = renderSummary({ workspace: '/w', verify: report() })
    expect(text).toContain(
      [
        '### Image verification (before the push)',
        '',
        '✅ Verified in 4.1 s.',
        '',
        '| Part | Result |',
        '|---|---|',
        '| Secrets in layers and config | ✅ none: 2 custom layer(s), 14 text file(s), 2.35 MB in 0.4 s (read from the loopback registry); 1 base layer(s) skipped |',
        '| Boot as OHE starts it | ✅ healthy in 3.2 s, sdk_version 1.23.0 |',
        '| Size added over the base | 2 layer(s), 17.9 MB compressed, 48.2 MB uncompressed |'
      ].join('\n')
    )
  })

  it('says how many of the files were found clean in the build context and only hashed', () => {
    const text = renderSummary({ workspace: '/w', verify: report({ secrets: { ...report().secrets, alreadyScanned: { files: 9, bytes: 2_000_000 } } }) })
    expect(text).toContain(
      '| Secrets in layers and config | ✅ none: 2 custom layer(s), 14 text file(s), 2.35 MB (9 found clean in the build context, only hashed) in 0.4 s (read from the loopback registry); 1 base layer(s) skipped |'
    )
  })

  it('reports a failed one: the findings without values, the probe, the log tail, the size estimate', () => {
    const text = renderSummary({
      workspace: '/w',
      verify: report({
        problems: ['1 secret(s) found in the built image', 'the image did not boot as OHE starts it (/alive)'],
        secrets: {
          ...report().secrets,
          findings: [
            {
              rule: 'npm-access-token',
              description: 'npm access token',
              file: 'image:/root/.npmrc',
              line: 1,
              column: 30,
              hint: 'npm_… (40 chars)',
              fingerprint: 'image:/root/.npmrc:npm-access-token:0123456789abcdef',
              source: 'layer',
              where: '/root/.npmrc',
              layer: 2,
              instruction: 'COPY npmrc /root/.npmrc',
              deletedBy: { layer: 3, instruction: 'RUN rm /root/.npmrc' }
            }
          ]
        },
        boot: { ran: true, ok: false, failedProbe: '/alive', problem: 'the container exited (code 3) before /alive answered 200', logTail: ['boom'] },
        size: { layers: 2, uncompressed: 1000, compressed: 400, compressedSource: 'estimate' }
      })
    })
    expect(text).toContain('❌ 1 secret(s) found in the built image; the image did not boot as OHE starts it (/alive); nothing was pushed.')
    expect(text).toContain(
      '| npm access token | `/root/.npmrc` (deleted in layer 3, still shipped) | 2 | `COPY npmrc /root/.npmrc` | npm_… (40 chars) | `image:/root/.npmrc:npm-access-token:0123456789abcdef` |'
    )
    expect(text).toContain('| Boot as OHE starts it | ❌ /alive: the container exited (code 3) before /alive answered 200 |')
    expect(text).toContain('| Size added over the base | 2 layer(s), 400 B compressed (gzip estimate), 1.00 kB uncompressed |')
    expect(text).toContain('```\nboom\n```')
  })

  it.each([
    [0, '❌ not fully read'],
    [1, '❌ 1 finding(s), not fully read']
  ])('never says "none" for an image not read in full (%i finding(s))', (count, result) => {
    const base = report().secrets
    const finding = { rule: 'github-pat', description: 'GitHub token', file: 'image:config/history', line: 1, column: 1, hint: 'ghp_…', fingerprint: 'f' }
    const secrets = {
      ...base,
      findings: Array.from({ length: count }, () => ({ ...finding, source: 'history' as const, where: 'history', instruction: 'RUN x' })),
      incomplete: 'docker save (OCI layout) holds no image config for sha256:ab, so its Env, Labels and history were not scanned for secrets'
    }
    const text = renderSummary({ workspace: '/w', verify: report({ secrets, problems: [secrets.incomplete] }) })
    expect(text).toContain(`| Secrets in layers and config | ${result}: 2 custom layer(s)`)
  })

  it('says when the boot check was skipped', () => {
    const text = renderSummary({
      workspace: '/w',
      verify: report({ boot: { ran: false, ok: true, skipped: 'the Docker engine is linux/aarch64, not linux/amd64' } })
    })
    expect(text).toContain('| Boot as OHE starts it | ⏭️ skipped: the Docker engine is linux/aarch64, not linux/amd64 |')
  })
})
