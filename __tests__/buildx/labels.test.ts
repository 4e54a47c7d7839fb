import { imageLabels, type LabelFacts } from '../../src/buildx/labels.js'

const created = new Date('2025-11-26T18:35:00Z')
const oci = 'org.opencontainers.image'
const AGENT_SERVER = 'dev.openhands.agent-server.version'
const OHE = 'dev.openhands.ohe.release'

// [row, what, facts, labels input, exact labels in order]
const rows: Array<[number, string, LabelFacts, Record<string, string>, Array<[string, string]>]> = [
  [
    1,
    'everything known',
    {
      release: '1.23.0',
      created,
      repositoryUrl: 'https://github.com/acme/sandbox',
      sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      baseReference: 'ghcr.io/openhands/agent-server:1.23.0-python',
      baseDigest: 'sha256:' + 'ab'.repeat(32)
    },
    {},
    [
      [`${oci}.source`, 'https://github.com/acme/sandbox'],
      [`${oci}.revision`, 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'],
      [`${oci}.created`, '2025-11-26T18:35:00.000Z'],
      [`${oci}.version`, '1.23.0'],
      [`${oci}.base.name`, 'ghcr.io/openhands/agent-server:1.23.0-python'],
      [`${oci}.base.digest`, 'sha256:' + 'ab'.repeat(32)],
      [AGENT_SERVER, '1.23.0']
    ]
  ],
  [
    2,
    'a local run: no source, revision or base digest, and no empty labels for them',
    { release: '1.23.0', created, baseReference: 'ghcr.io/openhands/agent-server:1.23.0-python' },
    {},
    [
      [`${oci}.created`, '2025-11-26T18:35:00.000Z'],
      [`${oci}.version`, '1.23.0'],
      [`${oci}.base.name`, 'ghcr.io/openhands/agent-server:1.23.0-python'],
      [AGENT_SERVER, '1.23.0']
    ]
  ],
  [
    3,
    'input labels are added after, and win over an OCI label of the same key',
    { release: '1.23.0', created },
    { 'com.acme.team': 'platform', [`${oci}.version`]: '2025.11' },
    [
      [`${oci}.created`, '2025-11-26T18:35:00.000Z'],
      [`${oci}.version`, '2025.11'],
      [AGENT_SERVER, '1.23.0'],
      ['com.acme.team', 'platform']
    ]
  ],
  [
    4,
    'the labels input cannot forge the provenance skip-unchanged trusts: revision and base.digest',
    { release: '1.23.0', created, sha: 'a'.repeat(40) },
    { [`${oci}.revision`]: 'b'.repeat(40), [`${oci}.base.digest`]: 'sha256:' + 'c'.repeat(64), team: 'platform' },
    [
      [`${oci}.revision`, 'a'.repeat(40)],
      [`${oci}.created`, '2025-11-26T18:35:00.000Z'],
      [`${oci}.version`, '1.23.0'],
      [AGENT_SERVER, '1.23.0'],
      ['team', 'platform']
    ]
  ],
  [
    5,
    'built for an OHE release: both versions, and the labels input cannot change what the image was built for',
    { release: '1.41.0', oheRelease: '0.45.0', created },
    { [AGENT_SERVER]: '9.9.9', [OHE]: '0.1.0', team: 'platform' },
    [
      [`${oci}.created`, '2025-11-26T18:35:00.000Z'],
      [`${oci}.version`, '1.41.0'],
      [AGENT_SERVER, '1.41.0'],
      [OHE, '0.45.0'],
      ['team', 'platform']
    ]
  ],
  [
    6,
    'pinned by agent-server-version: no OHE release label, not even from the labels input',
    { release: '1.41.0', oheRelease: '', created },
    { [OHE]: '0.45.0' },
    [
      [`${oci}.created`, '2025-11-26T18:35:00.000Z'],
      [`${oci}.version`, '1.41.0'],
      [AGENT_SERVER, '1.41.0']
    ]
  ]
]

test.each(rows)('%i: %s', (_row, _what, facts, input, expected) => {
  expect(Object.entries(imageLabels(facts, input))).toEqual(expected)
})
