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
    filesScanned: 3,
    bytesScanned: 1000,
    baseLayersSkipped: 1,
    seconds: 0.1,
    bytesPerSecond: 0,
    source: 'loopback'
  },
  boot: { ran: true, ok: true, secondsToHealthy: 3.2, sdkVersion: '1.23.0' },
  size: { layers: 2, uncompressed: 1000, compressed: 400, compressedSource: 'registry' },
  findings: [],
  problems: [],
  seconds: 4.1,
  ...changes
})

const helpers = [
  { path: '/usr/local/bin/company-verify', name: 'company-verify', layer: 3 },
  { path: '/usr/local/bin/prepare-project', name: 'prepare-project', layer: 3 }
]

describe('the sandbox rows of the verify section (summary and PR comment)', () => {
  it('lists the helpers, the commands that passed with their output, and the time to ready beside the time to healthy', () => {
    const text = renderSummary({
      workspace: '/w',
      verify: report({
        helpers,
        commands: {
          via: 'agent-server',
          outcomes: [
            { command: 'prepare-project', exitCode: 0, timedOut: false, seconds: 1.3, tail: ['linked /opt/project-seed into /workspace/project/repo'] },
            { command: 'company-verify', exitCode: 0, timedOut: false, seconds: 0.4, tail: [] }
          ],
          skipped: []
        },
        readySeconds: 4.9,
        maxReadySeconds: 60
      })
    })
    expect(text).toContain(
      [
        '| Boot as OHE starts it | ✅ healthy in 3.2 s, sdk_version 1.23.0 |',
        '| Size added over the base | 2 layer(s), 400 B compressed, 1.00 kB uncompressed |',
        '| Helpers in the image | `company-verify`, `prepare-project` on the PATH (`/usr/local/bin`) |',
        "| Sandbox commands | ✅ 2 passed in 1.7 s, through the agent-server's command API |",
        '| Ready for a task | ✅ 4.9 s (healthy in 3.2 s + sandbox-commands, max-ready-seconds 60) |',
        '',
        '| Sandbox command | Exit code | Seconds |',
        '|---|---|---|',
        '| `prepare-project` | ✅ 0 | 1.3 |',
        '| `company-verify` | ✅ 0 | 0.4 |',
        '',
        '<details><summary>Output of `prepare-project` (last 1 line(s), redacted)</summary>',
        '',
        '```',
        'linked /opt/project-seed into /workspace/project/repo',
        '```',
        '</details>'
      ].join('\n')
    )
  })

  it('shows a failed command, what was not run after it, and the fallback', () => {
    const text = renderSummary({
      workspace: '/w',
      verify: report({
        problems: ["sandbox command 'prepare-cache' exited with code 1"],
        commands: {
          via: 'docker exec',
          fallback: 'the agent-server has no command API (POST /api/bash/start_bash_command: no such route)',
          outcomes: [{ command: 'prepare-cache', exitCode: 1, timedOut: false, seconds: 0.2, tail: ["can't create /opt/cache/stamp: Permission denied"] }],
          skipped: ['company-verify | tee log']
        }
      })
    })
    expect(text).toContain(
      '| Sandbox commands | ❌ `prepare-cache` exited with code 1; 1 not run, through docker exec because the agent-server has no command API (POST /api/bash/start_bash_command: no such route) |'
    )
    expect(text).toContain('| `prepare-cache` | ❌ 1 | 0.2 |\n| `company-verify \\| tee log` | ⏭️ not run | |')
    expect(text).not.toContain('Ready for a task')
  })

  it('shows a command killed at its deadline, and a time to ready above max-ready-seconds', () => {
    const killed = renderSummary({
      workspace: '/w',
      verify: report({
        commands: { via: 'agent-server', outcomes: [{ command: 'sleep 999', exitCode: -1, timedOut: true, seconds: 10.1, tail: [] }], skipped: [] }
      })
    })
    expect(killed).toContain("| Sandbox commands | ❌ `sleep 999` was killed at its deadline after 10.1 s, through the agent-server's command API |")
    expect(killed).toContain('| `sleep 999` | ❌ killed at its deadline | 10.1 |')
    const slow = renderSummary({ workspace: '/w', verify: report({ readySeconds: 75.5, maxReadySeconds: 60 }) })
    expect(slow).toContain('| Ready for a task | ❌ 75.5 s (healthy in 3.2 s, max-ready-seconds 60) |')
  })

  it('keeps a command with backticks in one code span', () => {
    const text = renderSummary({
      workspace: '/w',
      verify: report({
        commands: { via: 'agent-server', outcomes: [{ command: 'echo `id -u`', exitCode: 0, timedOut: false, seconds: 0.1, tail: [] }], skipped: [] }
      })
    })
    expect(text).toContain('| `` echo `id -u` `` | ✅ 0 | 0.1 |')
  })
})
