/**
 * The layered decision, given the labels of each image in the chain: an in-memory registry (reference → digest and
 * labels) stands in for the real one, which layered-registry.test.ts uses.
 */
import { parseImageReference, parseVersion, type ImageReference } from '../../src/grammar.js'
import { BASE_DIGEST_LABEL, BASE_NAME_LABEL, checkLayeredBase, MAX_LAYERS, type LayeredCheck, type ReadImage } from '../../src/image/layered.js'
import { RegistryError } from '../../src/registry/errors.js'

const BASE = 'ghcr.io/openhands/agent-server'
const HOTFIX = 'ghcr.io/acme/openhands-sandbox:1.23.0-a1b2c3d'
const CUSTOM = 'ghcr.io/acme/openhands-sandbox:1.23.0-0f0f0f0'
const CHANGE = `in image/Dockerfile line 3, change FROM ${HOTFIX} to ${BASE}:1.23.0-python`
const digest = (char: string): string => `sha256:${char.repeat(64)}`

type Images = Record<string, Record<string, string> | RegistryError>

/** Reads from `images` by normalised reference; a missing entry is the registry's 404. */
function reader(images: Images): ReadImage {
  return async (image: ImageReference) => {
    const name = `${image.registry}/${image.repository}${image.tag === undefined ? '' : `:${image.tag}`}${image.digest === undefined ? '' : `@${image.digest}`}`
    const entry = images[name]
    if (entry instanceof RegistryError) throw entry
    if (entry === undefined) throw new RegistryError(`tag not found: ${name}`, 'not-found', image.registry, image.repository, 404)
    return { digest: digest(String(Object.keys(images).indexOf(name) + 1)), labels: entry }
  }
}

function layered(images: Images, options: { release?: string; match?: 'exact' | 'minor'; from?: string } = {}): Promise<LayeredCheck> {
  const image = parseImageReference(options.from ?? HOTFIX) as ImageReference
  const release = parseVersion(options.release ?? '1.23.0')
  if (!release) throw new Error('bad release in test')
  return checkLayeredBase(
    { image, line: 3, change: CHANGE },
    { baseRepository: { registry: 'ghcr.io', repository: 'openhands/agent-server' }, variant: 'python', release, match: options.match ?? 'exact' },
    reader(images)
  )
}

const notBuiltOn = (found: string): string =>
  `The final stage is built on ${HOTFIX}, which is not built on the agent-server image ${BASE}: ${found}. Either ${CHANGE}, or rebuild ${HOTFIX} with the label ${BASE_NAME_LABEL} naming its agent-server base (this action sets it on every image it pushes)`

interface Row {
  name: string
  images: Images
  options?: { release?: string; match?: 'exact' | 'minor'; from?: string }
  problem?: string
  chain: string[]
  agentServer?: string
}

const rows: Row[] = [
  {
    name: 'built on the release base: passes',
    images: { [HOTFIX]: { [BASE_NAME_LABEL]: `${BASE}:1.23.0-python` } },
    chain: [HOTFIX, `${BASE}:1.23.0-python`],
    agentServer: `${BASE}:1.23.0-python`
  },
  {
    name: 'built on an older base: names the chain and the rebuild',
    images: { [HOTFIX]: { [BASE_NAME_LABEL]: `${BASE}:1.22.0-python` } },
    problem: `FROM ${HOTFIX} is built on ${BASE}:1.22.0-python, but the target agent-server 1.23.0 needs 1.23.0-python: rebuild the layered base on 1.23.0-python first`,
    chain: [HOTFIX, `${BASE}:1.22.0-python`],
    agentServer: `${BASE}:1.22.0-python`
  },
  {
    name: 'match minor accepts another patch of the line',
    images: { [HOTFIX]: { [BASE_NAME_LABEL]: `${BASE}:1.23.2-python` } },
    options: { match: 'minor' },
    chain: [HOTFIX, `${BASE}:1.23.2-python`],
    agentServer: `${BASE}:1.23.2-python`
  },
  {
    name: 'match minor refuses another line',
    images: { [HOTFIX]: { [BASE_NAME_LABEL]: `${BASE}:1.22.5-python` } },
    options: { match: 'minor' },
    problem: `FROM ${HOTFIX} is built on ${BASE}:1.22.5-python, but the target agent-server 1.23.0 needs 1.23.x-python (match: minor): rebuild the layered base on 1.23.0-python first`,
    chain: [HOTFIX, `${BASE}:1.22.5-python`],
    agentServer: `${BASE}:1.22.5-python`
  },
  {
    name: 'a base tag that is no release says why, with the tag rules of a direct FROM',
    images: { [HOTFIX]: { [BASE_NAME_LABEL]: `${BASE}:latest-python` } },
    problem: `FROM ${HOTFIX} is built on ${BASE}:latest-python, but the target agent-server 1.23.0 needs 1.23.0-python: rebuild the layered base on 1.23.0-python first (Base image tag latest-python follows the main branch, not agent-server 1.23.0)`,
    chain: [HOTFIX, `${BASE}:latest-python`],
    agentServer: `${BASE}:latest-python`
  },
  {
    name: 'another variant',
    images: { [HOTFIX]: { [BASE_NAME_LABEL]: `${BASE}:1.23.0-java` } },
    problem: `FROM ${HOTFIX} is built on ${BASE}:1.23.0-java, but the target agent-server 1.23.0 needs 1.23.0-python: rebuild the layered base on 1.23.0-python first (Base image tag 1.23.0-java is the java variant, not python)`,
    chain: [HOTFIX, `${BASE}:1.23.0-java`],
    agentServer: `${BASE}:1.23.0-java`
  },
  {
    name: 'the label as Docker normalises it (upper-case registry, docker.io spellings) still names the base',
    images: { [HOTFIX]: { [BASE_NAME_LABEL]: ` GHCR.IO/openhands/agent-server:1.23.0-python\n` } },
    chain: [HOTFIX, `${BASE}:1.23.0-python`],
    agentServer: `${BASE}:1.23.0-python`
  },
  {
    name: 'no label: not built on the agent-server image',
    images: { [HOTFIX]: { 'org.opencontainers.image.version': '1.23.0' } },
    problem: notBuiltOn(`its linux/amd64 image has no ${BASE_NAME_LABEL} label`),
    chain: [HOTFIX]
  },
  {
    name: 'an empty label counts as none',
    images: { [HOTFIX]: { [BASE_NAME_LABEL]: '  ' } },
    problem: notBuiltOn(`its linux/amd64 image has no ${BASE_NAME_LABEL} label`),
    chain: [HOTFIX]
  },
  {
    name: 'a label that is not an image reference',
    images: { [HOTFIX]: { [BASE_NAME_LABEL]: 'built from the agent server' } },
    problem: notBuiltOn(`${HOTFIX} has the ${BASE_NAME_LABEL} label 'built from the agent server', which is not an image reference`),
    chain: [HOTFIX]
  },
  {
    name: 'a hotfix on a custom image on the release base: the labels are followed',
    images: { [HOTFIX]: { [BASE_NAME_LABEL]: CUSTOM }, [CUSTOM]: { [BASE_NAME_LABEL]: `${BASE}:1.23.0-python` } },
    chain: [HOTFIX, CUSTOM, `${BASE}:1.23.0-python`],
    agentServer: `${BASE}:1.23.0-python`
  },
  {
    name: 'a hotfix on a custom image on an older base names the whole chain',
    images: { [HOTFIX]: { [BASE_NAME_LABEL]: CUSTOM }, [CUSTOM]: { [BASE_NAME_LABEL]: `${BASE}:1.22.0-python` } },
    problem: `FROM ${HOTFIX} is built on ${CUSTOM}, which is built on ${BASE}:1.22.0-python, but the target agent-server 1.23.0 needs 1.23.0-python: rebuild the layered bases on 1.23.0-python first`,
    chain: [HOTFIX, CUSTOM, `${BASE}:1.22.0-python`],
    agentServer: `${BASE}:1.22.0-python`
  },
  {
    name: 'a label naming another image without a label: what was found',
    images: { [HOTFIX]: { [BASE_NAME_LABEL]: 'ubuntu:22.04' }, 'docker.io/library/ubuntu:22.04': {} },
    problem: notBuiltOn(`its labels lead ${HOTFIX} → docker.io/library/ubuntu:22.04, and docker.io/library/ubuntu:22.04 has no ${BASE_NAME_LABEL} label`),
    chain: [HOTFIX, 'docker.io/library/ubuntu:22.04']
  },
  {
    name: 'a label naming an image that cannot be read: what was found and why it stops',
    images: {
      [HOTFIX]: { [BASE_NAME_LABEL]: 'docker.io/library/ubuntu:22.04' },
      'docker.io/library/ubuntu:22.04': new RegistryError('cannot reach registry docker.io (ENOTFOUND)', 'unreachable', 'docker.io')
    },
    problem: notBuiltOn(
      `its labels lead ${HOTFIX} → docker.io/library/ubuntu:22.04, and the config of docker.io/library/ubuntu:22.04 cannot be read (cannot reach registry docker.io (ENOTFOUND))`
    ),
    chain: [HOTFIX]
  },
  {
    name: 'a label loop',
    images: { [HOTFIX]: { [BASE_NAME_LABEL]: CUSTOM }, [CUSTOM]: { [BASE_NAME_LABEL]: HOTFIX } },
    problem: notBuiltOn(`its labels lead ${HOTFIX} → ${CUSTOM} → ${HOTFIX} again, a loop`),
    chain: [HOTFIX, CUSTOM]
  },
  {
    name: `more than ${MAX_LAYERS} layered images`,
    images: Object.fromEntries(
      Array.from({ length: MAX_LAYERS + 1 }, (_, i) => [i === 0 ? HOTFIX : `ghcr.io/acme/layer:${i}`, { [BASE_NAME_LABEL]: `ghcr.io/acme/layer:${i + 1}` }])
    ),
    problem: notBuiltOn(
      `its labels lead through more than ${MAX_LAYERS} images (${HOTFIX} → ghcr.io/acme/layer:1 → ghcr.io/acme/layer:2 → ghcr.io/acme/layer:3 → ghcr.io/acme/layer:4 → …) without reaching it`
    ),
    chain: [HOTFIX, 'ghcr.io/acme/layer:1', 'ghcr.io/acme/layer:2', 'ghcr.io/acme/layer:3', 'ghcr.io/acme/layer:4']
  },
  {
    name: 'the FROM image cannot be read: the registry error at the FROM line',
    images: { [HOTFIX]: new RegistryError('authentication required by registry ghcr.io for acme/openhands-sandbox (HTTP 401)', 'unauthorized', 'ghcr.io') },
    problem: `Cannot check FROM ${HOTFIX} as a layered image (it is not the OHE base image ${BASE}): authentication required by registry ghcr.io for acme/openhands-sandbox (HTTP 401)`,
    chain: []
  }
]

describe('checkLayeredBase: the decision from the labels', () => {
  it.each(rows)('$name', async ({ images, options, problem, chain, agentServer }) => {
    const result = await layered(images, options)
    expect(result.problem).toBe(problem)
    expect(result.layered.chain.map(link => link.reference)).toEqual(chain)
    expect(result.layered.agentServer).toBe(agentServer)
    expect(result.layered.ok).toBe(problem === undefined)
    expect(result.layered.line).toBe(3)
  })

  it('carries the manifest digests read and the base.digest label of the agent-server base', async () => {
    const result = await layered({ [HOTFIX]: { [BASE_NAME_LABEL]: `${BASE}:1.23.0-python`, [BASE_DIGEST_LABEL]: digest('e') } })
    expect(result.layered).toEqual({
      line: 3,
      ok: true,
      agentServer: `${BASE}:1.23.0-python`,
      chain: [
        { reference: HOTFIX, digest: digest('1') },
        { reference: `${BASE}:1.23.0-python`, digest: digest('e') }
      ]
    })
  })

  it('ignores a base.digest label that is not a digest', async () => {
    const result = await layered({ [HOTFIX]: { [BASE_NAME_LABEL]: `${BASE}:1.23.0-python`, [BASE_DIGEST_LABEL]: 'unknown' } })
    expect(result.layered.chain[1]).toEqual({ reference: `${BASE}:1.23.0-python` })
  })

  it('reads the image a digest-pinned FROM names', async () => {
    const pinned = `ghcr.io/acme/openhands-sandbox@${digest('a')}`
    const result = await layered({ [pinned]: { [BASE_NAME_LABEL]: `${BASE}:1.23.0-python` } }, { from: pinned })
    expect(result.layered.chain.map(link => link.reference)).toEqual([pinned, `${BASE}:1.23.0-python`])
    expect(result.problem).toBeUndefined()
  })

  it('an error that is not the registry saying no is a bug and propagates', async () => {
    const read: ReadImage = () => Promise.reject(new TypeError('boom'))
    const release = parseVersion('1.23.0')
    if (!release) throw new Error('bad release in test')
    await expect(
      checkLayeredBase(
        { image: parseImageReference(HOTFIX) as ImageReference, line: 1, change: CHANGE },
        { baseRepository: { registry: 'ghcr.io', repository: 'openhands/agent-server' }, variant: 'python', release, match: 'exact' },
        read
      )
    ).rejects.toThrow('boom')
  })
})
