/** Installed-package notices of the image scan in the summary and PR comment, and in their annotation text. */
import { renderSummary } from '../../src/github/summary.js'
import type { ImageSecretFinding } from '../../src/verify/image-scan.js'
import { noticeMessage, type VerifyReport } from '../../src/verify/verify.js'

const notice = (n: number): ImageSecretFinding => ({
  rule: 'npm-access-token',
  description: 'npm access token',
  file: `image:/app/node_modules/pkg${n}/x.js`,
  line: 1,
  column: 5,
  hint: 'npm_… (40 chars)',
  fingerprint: `image:/app/node_modules/pkg${n}/x.js:npm-access-token:0123456789abcdef`,
  source: 'layer',
  where: `/app/node_modules/pkg${n}/x.js`,
  layer: 2,
  instruction: 'RUN npm ci',
  package: `pkg${n}@1.0.${n}`
})

const report = (notices: ImageSecretFinding[]): VerifyReport => ({
  image: 'ohe-sandbox-verify:ab',
  diffIds: [],
  baseLayers: 1,
  secrets: {
    findings: [],
    notices,
    suppressed: 0,
    examples: 0,
    layersScanned: 1,
    filesScanned: 3,
    bytesScanned: 1000,
    baseLayersSkipped: 1,
    seconds: 0.1,
    bytesPerSecond: 0,
    source: 'loopback'
  },
  boot: { ran: true, ok: true, secondsToHealthy: 1, sdkVersion: '1.23.0' },
  size: { layers: 1, uncompressed: 1000, compressed: 500, compressedSource: 'estimate' },
  findings: [],
  problems: [],
  seconds: 1
})

describe('image notices in installed packages', () => {
  it('counts them in the secrets row and lists the first five with their packages', () => {
    const text = renderSummary({ workspace: '/w', verify: report([1, 2, 3, 4, 5, 6, 7].map(notice)) })
    expect(text).toContain(
      '| Secrets in layers and config | ✅ none: 1 custom layer(s), 3 text file(s), 1.00 kB in 0.1 s (read from the loopback registry); 1 base layer(s) skipped; 7 in installed packages (notices, not failing) |'
    )
    expect(text).toContain(
      [
        'ℹ️ 7 token-shaped string(s) in installed third-party packages, public already and not failing (scan-installed-packages: notice):',
        '',
        '- npm access token npm_… (40 chars) in `/app/node_modules/pkg1/x.js`, package `pkg1@1.0.1`, layer 2',
        '- npm access token npm_… (40 chars) in `/app/node_modules/pkg2/x.js`, package `pkg2@1.0.2`, layer 2',
        '- npm access token npm_… (40 chars) in `/app/node_modules/pkg3/x.js`, package `pkg3@1.0.3`, layer 2',
        '- npm access token npm_… (40 chars) in `/app/node_modules/pkg4/x.js`, package `pkg4@1.0.4`, layer 2',
        '- npm access token npm_… (40 chars) in `/app/node_modules/pkg5/x.js`, package `pkg5@1.0.5`, layer 2',
        '- … and 2 more (see the log).'
      ].join('\n')
    )
  })

  it('says nothing of packages when there are none', () => {
    expect(renderSummary({ workspace: '/w', verify: report([]) })).not.toContain('installed')
  })

  it('annotates one with the file, package, layer and instruction, never failing', () => {
    expect(noticeMessage(notice(1))).toBe(
      'npm access token: npm_… (40 chars) in file /app/node_modules/pkg1/x.js, layer 2, in installed package pkg1@1.0.1 (made by RUN npm ci); ' +
        'not failing: scan-installed-packages is notice.'
    )
  })
})
