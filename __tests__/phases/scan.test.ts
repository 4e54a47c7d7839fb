/**
 * runScan's annotations: a finding names its rule's description and redacted hint, and, when the provider's family
 * gives one, the page where the credential is revoked; the value itself never appears.
 */
import { rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runScan } from '../../src/phases/scan.js'
import { captureStdout } from '../buildx/support/capture.js'
import { checksummed } from '../secrets/fixtures.js'
import { testInputs } from '../support/inputs.js'
import { scratchDir } from '../support/scratch.js'

const workspace = scratchDir('scan-phase-')
afterAll(() => rmSync(workspace, { recursive: true, force: true }))

test('a GitHub token names GitHub and its revoke page; a generic secret names none', async () => {
  const token = checksummed('ghp_')
  const generic = `${checksummed('zz_')}Q9`
  writeFileSync(path.join(workspace, 'Dockerfile'), 'FROM ghcr.io/openhands/agent-server:1.23.0-python\n')
  writeFileSync(path.join(workspace, 'app.env.txt'), `GITHUB_TOKEN=${token}\napi_secret: "${generic}"\n`)
  const inputs = testInputs(workspace, {})
  const { result, log, error } = await captureStdout(() => runScan(inputs, '0.0.0', workspace))
  expect(error).toBeUndefined()
  const messages = result?.findings.map(f => f.message) ?? []
  expect(messages).toHaveLength(2)
  expect(messages[0]).toContain('GitHub personal access token (classic): ghp_')
  expect(messages[0]).toContain('Revoke or rotate it at https://docs.github.com/en/authentication/')
  expect(messages[1]).toContain('High-entropy value assigned to a secret-named key')
  expect(messages[1]).not.toContain('Revoke or rotate it at')
  expect(JSON.stringify(result)).not.toContain(token)
  expect(log).not.toContain(token)
})
