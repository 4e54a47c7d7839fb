/**
 * The image contract and skip-unchanged against the real stack (scripts/e2e-stack.sh: dockerd, buildx, an htpasswd
 * registry on 127.0.0.1:5000 with stand-in agent-server bases). Images are pushed with a real
 * `docker buildx build --platform linux/amd64 --push`, logged in through a private DOCKER_CONFIG, so root's ~/.docker
 * is never touched. Runs in CI always (a stack that is down fails it there); skipped elsewhere when it is down.
 */
import { jest } from '@jest/globals'
import { rmSync } from 'node:fs'
import { baseDigest } from '../../../src/image/base-digest.js'
import { BASE_DIGEST_LABEL, REVISION_LABEL, findUnchangedImage } from '../../../src/image/unchanged.js'
import { renderContract, verifyPushedImage, type ContractReport } from '../../../src/verify/read-back.js'
import type { Inputs } from '../../../src/inputs.js'
import { runRegistries } from '../../../src/registry/for-inputs.js'
import { captureStdout } from '../../buildx/support/capture.js'
import { BASE_ENTRYPOINT, BASE_REPOSITORY, RegistryClient, e2eEnabled, mustBeUp, stackState, type StackState } from '../../support/stack.js'
import { dockerPusher, uniqueRepository, type Pusher } from '../../support/docker-push.js'
import { testInputs } from '../../support/inputs.js'
import { scratchDir } from '../../support/scratch.js'

const stack = await stackState()
const describeE2E = e2eEnabled(stack) ? describe : describe.skip
jest.setTimeout(180_000)

const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'
const OTHER_SHA = '0123456789abcdef0123456789abcdef01234567'
const ENTRYPOINT = JSON.stringify(BASE_ENTRYPOINT)

const up = (): StackState => mustBeUp(stack)
const baseRef = (version: string): string => `${up().registry}/${BASE_REPOSITORY}:${version}-python`
/** A repository of its own per test, so parallel runs never see each other's tags. */
const newRepository = (kind: string): string => uniqueRepository(up(), kind)

let work = ''
let pusher: Pusher | undefined

const push = (image: string, dockerfile: string, labels: Record<string, string> = {}): Promise<string> => {
  if (!pusher) throw new Error('the pusher is not ready')
  return pusher.push(image, dockerfile, { labels })
}

/** The action's inputs for a push to `repository` with the stack's credentials. */
function inputsFor(repository: string, changes: Partial<Inputs> = {}): Inputs {
  const { username, password } = up()
  return testInputs(work, { repository, 'registry-username': username, 'registry-password': password, ...changes })
}

async function verify(dockerfile: string, kind: string, base = baseRef('1.23.0')): Promise<{ report: ContractReport; digest: string; inputs: Inputs }> {
  const repository = newRepository(kind)
  const digest = await push(`${repository}:1.23.0-test`, dockerfile)
  const inputs = inputsFor(repository)
  const report = await verifyPushedImage(inputs, runRegistries(inputs), { repository, tag: '1.23.0-test', digest }, base, { line: 1 })
  return { report, digest, inputs }
}

const verdicts = (report: ContractReport): string[] => report.rows.map(row => `${row.check}: ${row.verdict}`)

describeE2E('images in the real registry', () => {
  // In-process reads must not depend on whatever docker login the machine's own docker config holds.
  const savedDockerConfig = process.env.DOCKER_CONFIG
  beforeAll(async () => {
    work = scratchDir('image-e2e-')
    process.env.DOCKER_CONFIG = scratchDir('image-e2e-docker-config-')
    pusher = await dockerPusher(up())
  })
  afterAll(async () => {
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG
    else process.env.DOCKER_CONFIG = savedDockerConfig
    await pusher?.close()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  describe('the image contract, verified in the registry', () => {
    it('passes an image that keeps the contract, with both config digests', async () => {
      const { report, digest, inputs } = await verify(`FROM ${baseRef('1.23.0')}\nUSER root\nRUN echo baked > /opt-baked.txt\nUSER openhands\n`, 'contract-ok')
      expect(report.unverified).toBeUndefined()
      expect(report.findings).toEqual([])
      expect(verdicts(report)).toEqual(['Entrypoint: pass', 'Cmd: pass', 'User: pass', 'Exposed ports: pass'])
      expect(report.rows[0]).toMatchObject({ expected: ENTRYPOINT, found: ENTRYPOINT })
      expect(report.imageConfigDigest).toMatch(/^sha256:[0-9a-f]{64}$/)
      expect(report.baseConfigDigest).toMatch(/^sha256:[0-9a-f]{64}$/)
      expect(report.imageConfigDigest).not.toBe(report.baseConfigDigest)
      expect(report.image).toBe(`${inputs.repository}:1.23.0-test@${digest}`)

      const section = renderContract(report).join('\n')
      expect(section).toContain('### Image contract (verified in the registry)')
      expect(section).toContain(`| ✅ | Entrypoint | \`${ENTRYPOINT}\` | \`${ENTRYPOINT}\` |`)
      expect(section).toContain('✅ The pushed image keeps the agent-server contract.')
    })

    it('fails an image that replaced the entrypoint, showing both values', async () => {
      const { report, inputs } = await verify(`FROM ${baseRef('1.23.0')}\nENTRYPOINT ["/bin/sh"]\n`, 'contract-entrypoint')
      expect(verdicts(report)).toEqual(['Entrypoint: error', 'Cmd: pass', 'User: pass', 'Exposed ports: pass'])
      expect(report.findings).toHaveLength(1)
      expect(report.findings[0]).toMatchObject({ check: 'image-contract', severity: 'error', file: inputs.file, line: 1 })
      expect(report.findings[0]?.message).toContain(`The pushed image's Entrypoint is ["/bin/sh"], its base's is ${ENTRYPOINT}`)
      expect(renderContract(report).join('\n')).toContain('| ❌ | Entrypoint |')
    })

    it('fails an image whose layered base changed the entrypoint, though its own Dockerfile sets none', async () => {
      // The intermediate image is a published custom image that replaced the entrypoint; the hotfix Dockerfile on top of
      // it is clean, so only the pushed config shows the break.
      const layer = `${newRepository('contract-layer')}:1`
      await push(layer, `FROM ${baseRef('1.23.0')}\nENTRYPOINT ["/usr/local/bin/openhands-agent-server", "--port", "9000"]\n`)
      const { report } = await verify(`FROM ${layer}\nRUN echo hotfix > /tmp/hotfix.txt\n`, 'contract-layered')
      expect(verdicts(report)).toEqual(['Entrypoint: error', 'Cmd: pass', 'User: pass', 'Exposed ports: pass'])
      expect(report.rows[0]).toMatchObject({ expected: ENTRYPOINT, found: '["/usr/local/bin/openhands-agent-server","--port","9000"]' })
      expect(report.findings.map(f => f.severity)).toEqual(['error'])
      expect(report.findings[0]?.message).toContain('any image it is built FROM')
    })

    it('warns about an image that ends as USER root', async () => {
      const { report } = await verify(`FROM ${baseRef('1.23.0')}\nUSER root\nRUN echo x > /x\n`, 'contract-root')
      expect(verdicts(report)).toEqual(['Entrypoint: pass', 'Cmd: pass', 'User: warning', 'Exposed ports: pass'])
      expect(report.findings.map(f => f.severity)).toEqual(['warning'])
      expect(report.findings[0]?.message).toMatch(/^The pushed image runs as user root, its base as openhands: /)
      expect(renderContract(report).join('\n')).toContain('⚠️ 1 warning(s) (see the annotations).')
    })

    it('reports an unreadable registry as unverified, a warning, never a failure', async () => {
      const repository = newRepository('contract-unverified')
      const digest = `sha256:${'0'.repeat(64)}`
      const inputs = inputsFor(repository, { 'registry-password': `${up().password}-wrong` })
      const report = await verifyPushedImage(inputs, runRegistries(inputs), { repository, tag: 'x', digest }, baseRef('1.23.0'))
      expect(report.rows).toEqual([])
      expect(report.unverified).toContain('authentication failed')
      expect(report.findings).toEqual([expect.objectContaining({ severity: 'warning', file: inputs.file })])
      expect(report.findings[0]).not.toHaveProperty('line')
      expect(JSON.stringify(report)).not.toContain(up().password)
      expect(renderContract(report).join('\n')).toContain('⚠️ Could not read the configs of')
    })
  })

  describe('base digest and skip-unchanged', () => {
    it('baseDigest: the manifest digest the base tag points to; a pinned digest as is', async () => {
      const registries = runRegistries(inputsFor(newRepository('base-digest')))
      const expected = (await new RegistryClient(up()).getManifest(BASE_REPOSITORY, '1.23.0-python'))?.digest
      expect(expected).toMatch(/^sha256:/)
      expect(await baseDigest(baseRef('1.23.0'), registries)).toBe(expected)
      const pinned = `sha256:${'c'.repeat(64)}`
      expect(await baseDigest(`${baseRef('1.23.0')}@${pinned}`, registries)).toBe(pinned)
      expect(await baseDigest(baseRef('1.24.0'), registries)).not.toBe(expected)
    })

    it('baseDigest: an unreadable registry warns and gives undefined', async () => {
      // Without a repository on the stack's registry no credentials go there: the private registry refuses the read.
      const { log, result } = await captureStdout(() => baseDigest(baseRef('1.23.0'), runRegistries(inputsFor(''))))
      expect(result).toBeUndefined()
      expect(log).toMatch(/^::warning::Could not read the digest of the base .*authentication failed/)
      expect(log).toContain('skip-unchanged cannot skip')
    })

    it('finds the image built from the same base digest and revision; not for another sha or base', async () => {
      const repository = newRepository('unchanged')
      const tag = `1.23.0-${SHA.slice(0, 7)}`
      const inputs = inputsFor(repository, { 'skip-unchanged': true })
      const registries = runRegistries(inputs)
      const base = await baseDigest(baseRef('1.23.0'), registries)
      const newerBase = await baseDigest(baseRef('1.24.0'), registries)
      expect(base).toMatch(/^sha256:/)
      const facts = { repository, tag, sha: SHA, baseDigest: base }

      // Nothing at the tag yet.
      const before = await captureStdout(() => findUnchangedImage(inputs, registries, facts))
      expect(before.result).toBeUndefined()
      expect(before.log).toBe(`skip-unchanged: building ${repository}:${tag}: no image has that tag yet.\n`)

      const digest = await push(`${repository}:${tag}`, `FROM ${baseRef('1.23.0')}\nRUN echo baked > /tmp/baked.txt\n`, {
        [BASE_DIGEST_LABEL]: base ?? '',
        [REVISION_LABEL]: SHA
      })

      const same = await captureStdout(() => findUnchangedImage(inputs, registries, facts))
      expect(same.result).toEqual({ digest })
      expect(same.log).toBe(`skip-unchanged: ${repository}:${tag} (${digest}) was built from base ${base} at revision ${SHA}; not building it again.\n`)

      const otherSha = await captureStdout(() => findUnchangedImage(inputs, registries, { ...facts, sha: OTHER_SHA }))
      expect(otherSha.result).toBeUndefined()
      expect(otherSha.log).toBe(
        `skip-unchanged: building ${repository}:${tag}: the image there is not the same: it was built from revision ${SHA}, this run builds ${OTHER_SHA}.\n`
      )

      const otherBase = await captureStdout(() => findUnchangedImage(inputs, registries, { ...facts, baseDigest: newerBase }))
      expect(otherBase.result).toBeUndefined()
      expect(otherBase.log).toContain(`it was built on base ${base}, the base is now ${newerBase}`)

      const off = await captureStdout(() => findUnchangedImage({ ...inputs, 'skip-unchanged': false }, registries, facts))
      expect(off).toEqual({ log: '', result: undefined })
    })

    it('does not skip an image without the labels', async () => {
      const repository = newRepository('unchanged-unlabelled')
      const inputs = inputsFor(repository, { 'skip-unchanged': true })
      await push(`${repository}:1.23.0-x`, `FROM ${baseRef('1.23.0')}\nRUN echo baked > /tmp/baked.txt\n`)
      const registries = runRegistries(inputs)
      const base = await baseDigest(baseRef('1.23.0'), registries)
      const { log, result } = await captureStdout(() => findUnchangedImage(inputs, registries, { repository, tag: '1.23.0-x', sha: SHA, baseDigest: base }))
      expect(result).toBeUndefined()
      // The stand-in base carries no base.digest label of its own, so the pushed image has none either.
      expect(log).toContain(`it has no ${BASE_DIGEST_LABEL} label`)
    })
  })
})
