import { imageLabels, type LabelFacts } from '../../src/build/labels.js'

const created = new Date('2025-11-26T18:35:00Z')
const oci = 'org.opencontainers.image'

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
      [`${oci}.base.digest`, 'sha256:' + 'ab'.repeat(32)]
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
      [`${oci}.base.name`, 'ghcr.io/openhands/agent-server:1.23.0-python']
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
      ['team', 'platform']
    ]
  ]
]

test.each(rows)('%i: %s', (_row, _what, facts, input, expected) => {
  expect(Object.entries(imageLabels(facts, input))).toEqual(expected)
})
