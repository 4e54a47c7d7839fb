import { baseDigest } from '../../src/image/base-digest.js'
import { compareContract } from '../../src/image/contract.js'
import { runRegistries } from '../../src/registry/for-inputs.js'
import { renderContract, verifyPushedImage, type ContractReport } from '../../src/verify/read-back.js'
import type { ImageConfig } from '../../src/registry/client.js'
import { captureStdout } from '../buildx/support/capture.js'
import { closedPort } from '../registry/stand-in-registry.js'

const base: ImageConfig = {
  Entrypoint: ['tini', '--', '/usr/local/bin/openhands-agent-server'],
  Cmd: null,
  User: 'openhands',
  ExposedPorts: { '8000/tcp': {}, '8002/tcp': {} }
}
const D = (c: string): string => `sha256:${c.repeat(64)}`
const image = `ghcr.io/acme/sandbox:1.23.0-abc1234@${D('1')}`
const baseName = `ghcr.io/openhands/agent-server:1.23.0-python@${D('2')}`

function report(config: ImageConfig): ContractReport {
  const { rows, problems } = compareContract(base, config)
  return {
    image,
    base: baseName,
    rows,
    findings: problems.map(p => ({ check: 'image-contract', severity: p.severity, message: p.message, file: '/w/Dockerfile' })),
    baseConfigDigest: D('3'),
    imageConfigDigest: D('4')
  }
}

describe('renderContract', () => {
  it('a kept contract: the table and one line that says so', () => {
    expect(renderContract(report(base))).toEqual([
      '### Image contract (verified in the registry)',
      '',
      `\`${image}\` (config \`${D('4')}\`) compared with its base \`${baseName}\` (config \`${D('3')}\`), linux/amd64.`,
      '',
      '| | Check | Base | Pushed image |',
      '|---|---|---|---|',
      '| ✅ | Entrypoint | `["tini","--","/usr/local/bin/openhands-agent-server"]` | `["tini","--","/usr/local/bin/openhands-agent-server"]` |',
      '| ✅ | Cmd | (none) | (none) |',
      '| ✅ | User | `openhands` | `openhands` |',
      '| ✅ | Exposed ports | `8000/tcp, 8002/tcp` | `8000/tcp, 8002/tcp` |',
      '',
      '✅ The pushed image keeps the agent-server contract.'
    ])
  })

  it('errors and warnings, with pipes and backticks kept inside their cells', () => {
    const lines = renderContract(report({ ...base, Entrypoint: ['sh', '-c', 'a | b `x`'], User: '', ExposedPorts: {} }))
    expect(lines.slice(6)).toEqual([
      '| ❌ | Entrypoint | `["tini","--","/usr/local/bin/openhands-agent-server"]` | ``["sh","-c","a \\| b `x`"]`` |',
      '| ✅ | Cmd | (none) | (none) |',
      '| ⚠️ | User | `openhands` | (not set: root) |',
      '| ❌ | Exposed ports | `8000/tcp, 8002/tcp` | (none) |',
      '',
      '❌ 2 error(s) and 1 warning(s) (see the annotations).'
    ])
  })

  it('an unverified contract: one line with the reason', () => {
    const lines = renderContract({ image, base: baseName, rows: [], findings: [], unverified: 'registry ghcr.io failed | badly' })
    expect(lines).toEqual([
      '### Image contract (verified in the registry)',
      '',
      `⚠️ Could not read the configs of \`${image}\` and its base \`${baseName}\`: registry ghcr.io failed \\| badly`
    ])
  })
})

describe('verifyPushedImage without a registry', () => {
  it('a registry that cannot be read: unverified, one warning at the given line', async () => {
    const registry = `127.0.0.1:${await closedPort()}`
    const inputs = { file: '/w/Dockerfile', repository: `${registry}/e2e/x`, 'registry-username': '', 'registry-password': '' }
    const result = await verifyPushedImage(
      inputs,
      runRegistries(inputs),
      { repository: `${registry}/e2e/x`, tag: 't', digest: D('1') },
      `${registry}/openhands/agent-server:1.23.0-python`,
      {
        line: 3,
        baseDigest: D('2')
      }
    )
    expect(result.base).toBe(`${registry}/openhands/agent-server:1.23.0-python@${D('2')}`)
    expect(result.rows).toEqual([])
    expect(result.unverified).toContain('(ECONNREFUSED)')
    expect(result.findings).toEqual([
      {
        check: 'image-contract',
        severity: 'warning',
        file: '/w/Dockerfile',
        line: 3,
        message: `The image contract could not be verified in the registry: ${result.unverified}`
      }
    ])
  })
})

describe('baseDigest without a registry', () => {
  const inputs = { repository: '', 'registry-username': '', 'registry-password': '' }

  it('a pinned digest is the answer, with no request', async () => {
    const { log, result } = await captureStdout(() => baseDigest(`127.0.0.1:9/openhands/agent-server:1.23.0-python@${D('5')}`, runRegistries(inputs)))
    expect(result).toBe(D('5'))
    expect(log).toBe('')
  })

  it('not a reference: undefined, with a warning', async () => {
    const { log, result } = await captureStdout(() => baseDigest('Not A Reference', runRegistries(inputs)))
    expect(result).toBeUndefined()
    expect(log).toBe("::warning::The base digest is unknown: 'Not A Reference' is not an image reference.\n")
  })
})
