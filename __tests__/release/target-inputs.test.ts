import { parseAgentServerVersion, parseOheRelease, splitAgentServerTag } from '../../src/release/target-inputs.js'

const notOhe = (value: string) => `ohe-release '${value}' is not an OHE release. Expected X.Y.Z as the Admin Console shows it (e.g. 0.45.0), vX.Y.Z or latest.`

describe('parseOheRelease', () => {
  it.each([
    ['0.45.0', { kind: 'release', version: '0.45.0' }],
    ['v0.45.0', { kind: 'release', version: '0.45.0' }],
    [' 0.7.30 ', { kind: 'release', version: '0.7.30' }],
    ['latest', { kind: 'latest' }],
    ['0.45', notOhe('0.45')],
    ['banana', notOhe('banana')],
    ['00.45.0', notOhe('00.45.0')],
    [
      '1.41.0',
      "ohe-release '1.41.0' is an agent-server version, not an OHE release (OHE releases are 0.x, e.g. 0.45.0): set agent-server-version: 1.41.0 instead, or set ohe-release to the OHE release you run."
    ],
    [
      'v1.23.0',
      "ohe-release 'v1.23.0' is an agent-server version, not an OHE release (OHE releases are 0.x, e.g. 0.45.0): set agent-server-version: v1.23.0 instead, or set ohe-release to the OHE release you run."
    ],
    [
      '1.41.0-python',
      "ohe-release '1.41.0-python' is an agent-server tag, not an OHE release (OHE releases are 0.x, e.g. 0.45.0): set agent-server-version: 1.41.0-python instead, or set ohe-release to the OHE release you run."
    ]
  ])('%s', (text, expected) => {
    expect(parseOheRelease(text)).toEqual(expected)
  })
})

describe('parseAgentServerVersion', () => {
  it.each([
    ['1.23.0', 'python', '1.23.0'],
    ['v1.23.0', 'python', '1.23.0'],
    [' 1.23.0-python ', 'python', '1.23.0'],
    ['1.41.0-java', 'java', '1.41.0'],
    ['1.41.0-python-slim', 'python-slim', '1.41.0'],
    ['1.41.0-python-minimal', 'python-minimal', '1.41.0'],
    ['10.0.0', 'python', '10.0.0'],
    ['1.23', 'python', { problem: "agent-server-version '1.23' is not a version. Expected X.Y.Z (e.g. 1.41.0), vX.Y.Z or X.Y.Z-python." }],
    ['01.2.3', 'python', { problem: "agent-server-version '01.2.3' is not a version. Expected X.Y.Z (e.g. 1.41.0), vX.Y.Z or X.Y.Z-python." }],
    [
      'latest',
      'python',
      { problem: "agent-server-version 'latest' is not a version: set ohe-release: latest for the agent-server of the newest OHE release, or a version X.Y.Z." }
    ],
    [
      '0.45.0',
      'python',
      {
        problem:
          "agent-server-version '0.45.0' is an OHE release, not an agent-server version (agent-server versions are 1.x, e.g. 1.41.0): set ohe-release: 0.45.0 instead."
      }
    ],
    [
      '1.23.0-java',
      'python',
      { problem: "agent-server-version '1.23.0-java' names the 'java' variant but variant is 'python'. Use 1.23.0 or 1.23.0-python, or set variant: java." }
    ],
    [
      '1.41.0-python-slim',
      'python',
      {
        problem:
          "agent-server-version '1.41.0-python-slim' names the 'python-slim' variant but variant is 'python'. Use 1.41.0 or 1.41.0-python, or set variant: python-slim."
      }
    ],
    [
      '1.24.0-rc.1',
      'python',
      { problem: "agent-server-version '1.24.0-rc.1' is a pre-release; OHE releases ship stable agent-server versions such as 1.24.0." }
    ],
    [
      '1.24.0-beta',
      'python',
      { problem: "agent-server-version '1.24.0-beta' is a pre-release; OHE releases ship stable agent-server versions such as 1.24.0." }
    ]
  ])('%s (variant %s)', (text, variant, expected) => {
    expect(parseAgentServerVersion(text, variant)).toEqual(expected)
  })
})

describe('splitAgentServerTag', () => {
  it.each([
    ['1.41.0-python', { version: '1.41.0', variant: 'python' }],
    ['1.41.0-python-minimal', { version: '1.41.0', variant: 'python-minimal' }],
    ['1.41.0', { version: '1.41.0' }],
    ['v1.41.0-python', undefined],
    ['latest-python', undefined],
    ['{{repl ConfigOption "tag"}}', undefined]
  ])('%s', (tag, expected) => {
    expect(splitAgentServerTag(tag)).toEqual(expected)
  })
})
