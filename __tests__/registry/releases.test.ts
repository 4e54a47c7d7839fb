import { highestRelease } from '../../src/registry/releases.js'

describe('highestRelease', () => {
  // [name, tags, variant, expected]
  const rows: [string, string[], string, string | undefined][] = [
    ['no tags', [], 'python', undefined],
    ['one release', ['1.23.0-python'], 'python', '1.23.0'],
    ['highest of three', ['1.22.0-python', '1.24.0-python', '1.23.0-python'], 'python', '1.24.0'],
    ['numeric, not lexical order', ['1.9.0-python', '1.10.0-python', '1.2.0-python'], 'python', '1.10.0'],
    ['patch decides', ['1.23.9-python', '1.23.10-python'], 'python', '1.23.10'],
    ['major decides', ['1.99.99-python', '2.0.0-python'], 'python', '2.0.0'],
    ['other variants ignored', ['1.23.0-python', '1.30.0-java', '1.31.0-golang'], 'python', '1.23.0'],
    ['variant selects', ['1.23.0-python', '1.30.0-java', '1.31.0-golang'], 'java', '1.30.0'],
    ['variant is a whole suffix', ['1.40.0-cpython', '1.23.0-python'], 'python', '1.23.0'],
    ['major and minor aliases ignored', ['2-python', '1.24-python', '1.23.0-python'], 'python', '1.23.0'],
    ['latest ignored', ['latest-python', 'latest', '1.23.0-python'], 'python', '1.23.0'],
    ['pre-releases ignored', ['1.24.0-rc.1-python', '1.24.0-rc1-python', '1.23.0-python'], 'python', '1.23.0'],
    ['build metadata ignored', ['1.24.0+build.5-python', '1.23.0-python'], 'python', '1.23.0'],
    ['v prefix is not a release tag', ['v1.24.0-python', '1.23.0-python'], 'python', '1.23.0'],
    ['short sha ignored', ['a1b2c3d-python', '1.23.0-python'], 'python', '1.23.0'],
    ['full sha ignored', [`${'0123456789abcdef01234567'.repeat(2).slice(0, 40)}-python`], 'python', undefined],
    ['branch tags ignored', ['main-python', 'feat-1.99.0-python', 'release-1.99.0-python'], 'python', undefined],
    ['leading zeros ignored', ['01.99.0-python', '1.23.0-python'], 'python', '1.23.0'],
    ['bare version without variant ignored', ['1.99.0', '1.23.0-python'], 'python', '1.23.0'],
    ['four parts ignored', ['1.99.0.1-python', '1.23.0-python'], 'python', '1.23.0'],
    ['duplicates are fine', ['1.23.0-python', '1.23.0-python'], 'python', '1.23.0'],
    ['only aliases and latest', ['1-python', '1.24-python', 'latest-python'], 'python', undefined]
  ]

  it.each(rows)('%s', (_name, tags, variant, expected) => {
    expect(highestRelease(tags, variant)).toBe(expected)
  })
})
