import { BASE_DIGEST_LABEL, REVISION_LABEL, findUnchangedImage, skipDecision, type SkipDecision } from '../../src/image/unchanged.js'
import { captureStdout } from '../buildx/support/capture.js'
import { closedPort } from '../registry/stand-in-registry.js'
import { runRegistries } from '../../src/registry/for-inputs.js'

const BASE = `sha256:${'a'.repeat(64)}`
const OTHER_BASE = `sha256:${'b'.repeat(64)}`
const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'
const OTHER_SHA = '0123456789abcdef0123456789abcdef01234567'
const same = { [BASE_DIGEST_LABEL]: BASE, [REVISION_LABEL]: SHA, 'org.opencontainers.image.version': '1.23.0' }

// [#, name, labels of the image at the tag, this run's facts, decision]
const rows: Array<[number, string, Record<string, string> | null | undefined, { sha?: string; baseDigest?: string }, SkipDecision]> = [
  [1, 'same base digest and revision', same, { sha: SHA, baseDigest: BASE }, { skip: true }],
  [
    2,
    'another base digest',
    same,
    { sha: SHA, baseDigest: OTHER_BASE },
    { skip: false, reason: `it was built on base ${BASE}, the base is now ${OTHER_BASE}` }
  ],
  [
    3,
    'another revision',
    same,
    { sha: OTHER_SHA, baseDigest: BASE },
    { skip: false, reason: `it was built from revision ${SHA}, this run builds ${OTHER_SHA}` }
  ],
  [4, 'no base digest label', { [REVISION_LABEL]: SHA }, { sha: SHA, baseDigest: BASE }, { skip: false, reason: `it has no ${BASE_DIGEST_LABEL} label` }],
  [5, 'no revision label', { [BASE_DIGEST_LABEL]: BASE }, { sha: SHA, baseDigest: BASE }, { skip: false, reason: `it has no ${REVISION_LABEL} label` }],
  [6, 'no labels at all (null)', null, { sha: SHA, baseDigest: BASE }, { skip: false, reason: `it has no ${BASE_DIGEST_LABEL} label` }],
  [7, 'no labels at all (absent)', undefined, { sha: SHA, baseDigest: BASE }, { skip: false, reason: `it has no ${BASE_DIGEST_LABEL} label` }],
  [8, 'the base digest is unknown: never skip', same, { sha: SHA }, { skip: false, reason: 'the base digest is unknown' }],
  [9, 'an empty base digest: never skip', same, { sha: SHA, baseDigest: '' }, { skip: false, reason: 'the base digest is unknown' }],
  [10, 'the sha is unknown: never skip', same, { baseDigest: BASE }, { skip: false, reason: 'the commit sha is unknown' }],
  [
    11,
    'empty labels do not match unknown facts',
    { [BASE_DIGEST_LABEL]: '', [REVISION_LABEL]: '' },
    { sha: SHA, baseDigest: BASE },
    { skip: false, reason: `it has no ${BASE_DIGEST_LABEL} label` }
  ]
]

describe('skipDecision', () => {
  it.each(rows)('%i %s', (_n, _name, labels, facts, expected) => {
    expect(skipDecision(labels, facts)).toEqual(expected)
  })
})

describe('findUnchangedImage without the registry', () => {
  const inputs = { 'skip-unchanged': true, repository: '127.0.0.1:5999/e2e/x', 'registry-username': '', 'registry-password': '' }
  const facts = { repository: '127.0.0.1:5999/e2e/x', tag: '1.23.0-a1b2c3d', sha: SHA, baseDigest: BASE }

  it('does nothing, silently, when skip-unchanged is false', async () => {
    const { log, result } = await captureStdout(() => findUnchangedImage({ ...inputs, 'skip-unchanged': false }, runRegistries(inputs), facts))
    expect(result).toBeUndefined()
    expect(log).toBe('')
  })

  it('never skips without a base digest, and says so in one line', async () => {
    const { log, result } = await captureStdout(() => findUnchangedImage(inputs, runRegistries(inputs), { ...facts, baseDigest: undefined }))
    expect(result).toBeUndefined()
    expect(log).toBe(
      'skip-unchanged: building 127.0.0.1:5999/e2e/x:1.23.0-a1b2c3d: the base digest is unknown, so an existing image cannot be shown to be the same.\n'
    )
  })

  it('never skips without a sha', async () => {
    const { log, result } = await captureStdout(() => findUnchangedImage(inputs, runRegistries(inputs), { ...facts, sha: undefined }))
    expect(result).toBeUndefined()
    expect(log).toContain('the commit sha is unknown')
  })

  it('builds, with a warning, when the registry cannot be read', async () => {
    // A loopback port just closed: nothing listens, the connection is refused at once.
    const repository = `127.0.0.1:${await closedPort()}/e2e/x`
    const { log, result, error } = await captureStdout(() => findUnchangedImage(inputs, runRegistries({ ...inputs, repository }), { ...facts, repository }))
    expect(error).toBeUndefined()
    expect(result).toBeUndefined()
    expect(log).toContain(`::warning::skip-unchanged: could not read ${repository}:1.23.0-a1b2c3d from its registry, so it is built: cannot reach registry`)
    expect(log).toContain('(ECONNREFUSED)')
    expect(log.trim().split('\n')).toHaveLength(1)
  })
})
