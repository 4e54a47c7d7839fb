import { workspacePath } from '../../src/github/annotations.js'
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
        '- OHE release (agent-server version): `1.23.0`',
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

  it('says the checks passed when there are no findings', () => {
    expect(renderSummary({ workspace: '/w', checks: [] })).toContain('✅ Base image matches the release and the runtime contract is kept.')
  })
})
