import { parseRelease } from '../../src/release/release.js'

describe('parseRelease', () => {
  it.each([
    ['1.23.0', 'python', { kind: 'version', version: '1.23.0' }],
    ['v1.23.0', 'python', { kind: 'version', version: '1.23.0' }],
    [' 1.23.0-python ', 'python', { kind: 'version', version: '1.23.0' }],
    ['1.41.0-java', 'java', { kind: 'version', version: '1.41.0' }],
    ['latest', 'python', { kind: 'latest' }],
    ['1.23', 'python', "ohe-release '1.23' is not a release version. Expected X.Y.Z (e.g. 1.23.0), vX.Y.Z, X.Y.Z-python or latest."],
    ['banana', 'python', "ohe-release 'banana' is not a release version. Expected X.Y.Z (e.g. 1.23.0), vX.Y.Z, X.Y.Z-python or latest."],
    ['01.2.3', 'python', "ohe-release '01.2.3' is not a release version. Expected X.Y.Z (e.g. 1.23.0), vX.Y.Z, X.Y.Z-python or latest."],
    ['1.23.0-java', 'python', "ohe-release '1.23.0-java' names the 'java' variant but variant is 'python'. Use 1.23.0 or 1.23.0-python, or set variant: java."],
    ['1.24.0-rc.1', 'python', "ohe-release '1.24.0-rc.1' is a pre-release; OHE releases ship stable agent-server versions such as 1.24.0."],
    ['1.24.0-beta', 'python', "ohe-release '1.24.0-beta' is a pre-release; OHE releases ship stable agent-server versions such as 1.24.0."]
  ])('%s (variant %s)', (text, variant, expected) => {
    expect(parseRelease(text, variant)).toEqual(expected)
  })
})
