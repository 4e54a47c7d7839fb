import { defaultTag, resolveTags, type ResolvedTags, type TagRequest } from '../../src/buildx/tags.js'
import { UserError } from '../../src/errors.js'

const sha = 'A1B2C3D4E5F60718293a4b5c6d7e8f9012345678'

describe('defaultTag', () => {
  test.each([
    [1, 'release and the first 7 characters of the sha, lower case', '1.23.0', sha, '1.23.0-a1b2c3d'],
    [2, 'a short sha as given', '1.23.0', 'abcdef0', '1.23.0-abcdef0'],
    [3, 'no commit known (a local run)', '1.23.0', undefined, '1.23.0-local'],
    [4, 'an empty sha counts as none', '1.24.0', '', '1.24.0-local'],
    [5, 'something that is not a commit sha is not used', '1.23.0', 'main', '1.23.0-local']
  ])('%i: %s', (_row, _what, release, commit, expected) => {
    expect(defaultTag(release, commit)).toBe(expected)
  })
})

const request: TagRequest = { repository: 'ghcr.io/acme/sandbox', tag: '', 'extra-tags': [], release: '1.23.0', sha }

describe('resolveTags', () => {
  // [row, what, request changes, result]
  const rows: Array<[number, string, Partial<TagRequest>, ResolvedTags]> = [
    [1, 'the default tag', {}, { tag: '1.23.0-a1b2c3d', names: ['1.23.0-a1b2c3d'], refs: ['ghcr.io/acme/sandbox:1.23.0-a1b2c3d'] }],
    [
      2,
      'the tag input wins',
      { tag: '1.23.0-python-custom' },
      { tag: '1.23.0-python-custom', names: ['1.23.0-python-custom'], refs: ['ghcr.io/acme/sandbox:1.23.0-python-custom'] }
    ],
    [
      3,
      'extra tags after the primary, in order',
      { 'extra-tags': ['1.23', 'latest'] },
      {
        tag: '1.23.0-a1b2c3d',
        names: ['1.23.0-a1b2c3d', '1.23', 'latest'],
        refs: ['ghcr.io/acme/sandbox:1.23.0-a1b2c3d', 'ghcr.io/acme/sandbox:1.23', 'ghcr.io/acme/sandbox:latest']
      }
    ],
    [
      4,
      'a repeated tag only once',
      { tag: 'latest', 'extra-tags': ['latest', '1.23', '1.23'] },
      { tag: 'latest', names: ['latest', '1.23'], refs: ['ghcr.io/acme/sandbox:latest', 'ghcr.io/acme/sandbox:1.23'] }
    ],
    [
      5,
      'a registry with a port',
      { repository: '127.0.0.1:5000/acme/sandbox' },
      { tag: '1.23.0-a1b2c3d', names: ['1.23.0-a1b2c3d'], refs: ['127.0.0.1:5000/acme/sandbox:1.23.0-a1b2c3d'] }
    ],
    [6, 'no repository (push: false): tags, but no references', { repository: '' }, { tag: '1.23.0-a1b2c3d', names: ['1.23.0-a1b2c3d'], refs: [] }],
    [
      7,
      'the longest tag Docker allows',
      { tag: 'x'.repeat(128) },
      { tag: 'x'.repeat(128), names: ['x'.repeat(128)], refs: [`ghcr.io/acme/sandbox:${'x'.repeat(128)}`] }
    ],
    [8, 'underscore first', { tag: '_build' }, { tag: '_build', names: ['_build'], refs: ['ghcr.io/acme/sandbox:_build'] }]
  ]
  test.each(rows)('%i: %s', (_row, _what, changes, expected) => {
    expect(resolveTags({ ...request, ...changes })).toEqual(expected)
  })

  const grammar = "A tag matches [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}: up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'."
  // [row, what, request changes, exact error]
  const bad: Array<[number, string, Partial<TagRequest>, string]> = [
    [1, 'a colon', { tag: '1.23.0:python' }, `tag: '1.23.0:python' is not a valid Docker tag. ${grammar}`],
    [2, 'a leading dash', { tag: '-rc' }, `tag: '-rc' is not a valid Docker tag. ${grammar}`],
    [3, 'a leading dot', { tag: '.hidden' }, `tag: '.hidden' is not a valid Docker tag. ${grammar}`],
    [4, 'a plus sign (semver build metadata)', { tag: '1.23.0+build.1' }, `tag: '1.23.0+build.1' is not a valid Docker tag. ${grammar}`],
    [5, 'a slash', { tag: 'feature/x' }, `tag: 'feature/x' is not a valid Docker tag. ${grammar}`],
    [6, 'too long', { tag: 'x'.repeat(129) }, `tag: '${'x'.repeat(129)}' is not a valid Docker tag (129 characters). ${grammar}`],
    [7, 'a bad extra tag', { 'extra-tags': ['1.23', 'my tag'] }, `extra-tags: 'my tag' is not a valid Docker tag. ${grammar}`],
    [8, 'a digest given as an extra tag', { 'extra-tags': ['sha256:abc'] }, `extra-tags: 'sha256:abc' is not a valid Docker tag. ${grammar}`]
  ]
  test.each(bad)('refuses %i: %s', (_row, _what, changes, message) => {
    const attempt = (): ResolvedTags => resolveTags({ ...request, ...changes })
    expect(attempt).toThrow(UserError)
    // An error object makes toThrow compare the whole message.
    expect(attempt).toThrow(new UserError(message))
  })
})
