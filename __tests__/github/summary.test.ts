import { workspacePath } from '../../src/workspace.js'
import { renderSummary } from '../../src/github/summary.js'

describe('workspacePath', () => {
  it.each([
    ['/w/image/Dockerfile', '/w', 'image/Dockerfile'],
    ['image/Dockerfile', '/w', 'image/Dockerfile'],
    ['/elsewhere/Dockerfile', '/w', '/elsewhere/Dockerfile'],
    ['/w', '/w', '/w']
  ])('%s in %s', (file, workspace, expected) => {
    expect(workspacePath(file, workspace)).toBe(expected)
  })
})

describe('renderSummary', () => {
  it('lists each finding with its place and escapes table cells', () => {
    const markdown = renderSummary({
      workspace: '/w',
      release: '1.23.0',
      baseImage: 'ghcr.io/openhands/agent-server:1.22.0-python',
      failure: '1 Dockerfile check(s) failed',
      checks: [
        { check: 'base-image', severity: 'error', message: 'Base tag a|b does not match', file: '/w/Dockerfile', line: 3 },
        { check: 'user', severity: 'warning', message: 'Final USER is root\nend with USER openhands', file: '/w/Dockerfile', line: 9 }
      ]
    })
    expect(markdown).toBe(
      [
        '## OpenHands sandbox image',
        '',
        '**Failed:** 1 Dockerfile check(s) failed',
        '',
        '- agent-server version: `1.23.0` (pinned by agent-server-version)',
        '- Base image: `ghcr.io/openhands/agent-server:1.22.0-python`',
        '',
        '### Checks',
        '',
        '| | Check | Where | Finding |',
        '|---|---|---|---|',
        '| ❌ | base-image | `Dockerfile:3` | Base tag a\\|b does not match |',
        '| ⚠️ | user | `Dockerfile:9` | Final USER is root end with USER openhands |',
        ''
      ].join('\n')
    )
  })

  it('does not claim passing checks when they never ran, nor offer a failed image to the Admin Console', () => {
    const build = { tags: ['r/x:1'], repository: 'r/x', tag: '1', image: 'r/x:1', digest: 'sha256:' + 'a'.repeat(64), pushed: true, seconds: 1 }
    const failed = renderSummary({ workspace: '/w', failure: 'it breaks the agent-server contract', build })
    expect(failed).toContain('The checks did not run.')
    expect(failed).not.toContain('✅')
    expect(failed).not.toContain('Sandbox Image Repository')
    expect(renderSummary({ workspace: '/w', checks: [], build })).toContain('| Sandbox Image Repository | `r/x` |')
  })

  it('shows the ConfigValues file and the kots command right under the Admin Console table', () => {
    const build = {
      tags: ['ghcr.io/acme/sandbox:1'],
      repository: 'ghcr.io/acme/sandbox',
      tag: '1',
      image: 'ghcr.io/acme/sandbox:1',
      digest: 'sha256:' + 'a'.repeat(64),
      pushed: true,
      seconds: 1
    }
    const configValues = {
      file: '/runner/_temp/ohe-config-values-1.yaml',
      command: 'kubectl kots set config openhands --config-file ohe-config-values-1.yaml --merge --deploy -n <admin-console-namespace>',
      from: 'built-in names (those of OHE 0.50.0)'
    }
    const markdown = renderSummary({ workspace: '/w', checks: [], build, configValues })
    const lines = markdown.split('\n')
    const table = lines.indexOf('| Sandbox Image Tag | `1` |')
    expect(lines.slice(table + 1, table + 8)).toEqual([
      '',
      'Or apply them with the KOTS CLI: the ConfigValues file `/runner/_temp/ohe-config-values-1.yaml` (output `config-values`; option names: built-in names (those of OHE 0.50.0)) ' +
        'also ticks Use a Custom Sandbox Image and sets the Registry Server; the registry username and password stay yours to enter. Beside the downloaded file, an administrator runs:',
      '',
      '```sh',
      configValues.command,
      '```',
      ''
    ])
    // Not for a failed run, whose image must not be deployed.
    expect(renderSummary({ workspace: '/w', build, configValues, failure: 'broken' })).not.toContain('kubectl kots')
  })

  it.each([
    [
      'an OHE release with its fit range',
      { oheRelease: '0.23.1', release: '1.36.0', fits: { agentServer: '1.36.0', first: '0.16.2', last: '0.33.0', count: 5 } },
      ['- OHE release: `0.23.1`, which ships agent-server `1.36.0`', '- Fits: agent-server 1.36.0: OHE 0.16.2 to 0.33.0']
    ],
    ['an OHE release alone', { oheRelease: '0.45.0', release: '1.41.0' }, ['- OHE release: `0.45.0`, which ships agent-server `1.41.0`']],
    [
      'a pinned version that one OHE release ships',
      { oheRelease: '', release: '1.38.0', fits: { agentServer: '1.38.0', first: '0.34.0', last: '0.34.0', count: 1 } },
      ['- agent-server version: `1.38.0` (pinned by agent-server-version)', '- Fits: agent-server 1.38.0: OHE 0.34.0']
    ]
  ])('says which OHE release the image is for: %s', (_name, report, lines) => {
    const markdown = renderSummary({ workspace: '/w', ...report })
    const head = markdown.split('\n').filter(line => line.startsWith('- '))
    expect(head).toEqual(lines)
  })

  it('says the checks passed when there are no findings', () => {
    expect(renderSummary({ workspace: '/w', checks: [] })).toContain('✅ Base image matches the release and the runtime contract is kept.')
  })

  it('lists at most 200 scan findings and says how to get the rest', () => {
    const findings = Array.from({ length: 203 }, (_, i) => ({
      rule: 'generic-secret',
      description: 'High-entropy value assigned to a secret-named key',
      file: `f${i}.env`,
      line: 1,
      column: 1,
      hint: 'abcd… (32 chars)',
      fingerprint: `f${i}.env:generic-secret:0123456789abcdef`
    }))
    const scan = {
      seconds: 0.5,
      result: { findings, filesScanned: 203, bytesScanned: 1048576, skipped: [], warnings: [], suppressed: 0 },
      findings: findings.map(f => ({ check: `secret/${f.rule}`, severity: 'error' as const, message: 'm', file: `/w/${f.file}`, line: 1 }))
    }
    const markdown = renderSummary({ workspace: '/w', checks: [], scan })
    expect(markdown).toContain('203 file(s), 1.0 MB, scanned in 0.5 s.')
    expect(markdown).toContain(
      '| ❌ | High-entropy value assigned to a secret-named key | `f199.env:1` | abcd… (32 chars) | `f199.env:generic-secret:0123456789abcdef` |'
    )
    expect(markdown).not.toContain('`f200.env:1`')
    expect(markdown).toContain('… and 3 more finding(s): the sarif input writes them all to a file.')
  })
})
