import { compareContract, isRoot, type ContractRow } from '../../src/image/contract.js'
import type { ImageConfig } from '../../src/registry/client.js'

const ENTRYPOINT = ['tini', '--', '/usr/local/bin/openhands-agent-server']
const SHOWN = '["tini","--","/usr/local/bin/openhands-agent-server"]'

/** The agent-server base as the registry serves it. */
const base: ImageConfig = {
  os: 'linux',
  architecture: 'amd64',
  Entrypoint: ENTRYPOINT,
  Cmd: null,
  User: 'openhands',
  ExposedPorts: { '8000/tcp': {}, '8002/tcp': {} }
}

type Verdicts = [ContractRow['verdict'], ContractRow['verdict'], ContractRow['verdict'], ContractRow['verdict']]
const ok: Verdicts = ['pass', 'pass', 'pass', 'pass']

// [#, name, base changes, image changes, verdicts Entrypoint/Cmd/User/Exposed ports, problem message fragments]
const rows: Array<[number, string, Partial<ImageConfig>, Partial<ImageConfig>, Verdicts, string[]]> = [
  [1, 'an image that keeps the base config', {}, {}, ok, []],
  [2, 'Cmd absent instead of null', {}, { Cmd: undefined }, ok, []],
  [3, 'Cmd [] instead of null', {}, { Cmd: [] }, ok, []],
  [4, 'more exposed ports', {}, { ExposedPorts: { '8000/tcp': {}, '8002/tcp': {}, '9000/tcp': {} } }, ok, []],
  [5, 'another non-root user', {}, { User: '10001:10001' }, ok, []],
  [6, 'a port written without protocol', {}, { ExposedPorts: { '8000': {}, '8002/tcp': {} } }, ok, []],
  [
    7,
    'ENTRYPOINT ["/bin/sh"]',
    {},
    { Entrypoint: ['/bin/sh'] },
    ['error', 'pass', 'pass', 'pass'],
    [`The pushed image's Entrypoint is ["/bin/sh"], its base's is ${SHOWN}`, 'never become healthy', 'any image it is built FROM']
  ],
  [8, 'no entrypoint at all', {}, { Entrypoint: null }, ['error', 'pass', 'pass', 'pass'], [`Entrypoint is (none), its base's is ${SHOWN}`]],
  [9, 'the same words, one more argument', {}, { Entrypoint: [...ENTRYPOINT, '--port', '9'] }, ['error', 'pass', 'pass', 'pass'], ['"--port","9"]']],
  [10, 'a CMD', {}, { Cmd: ['bash'] }, ['pass', 'error', 'pass', 'pass'], [`The pushed image's Cmd is ["bash"], its base's is (none)`]],
  [
    11,
    'a base CMD reset by an ENTRYPOINT',
    { Cmd: ['serve'] },
    { Entrypoint: ['/bin/sh'], Cmd: null },
    ['error', 'error', 'pass', 'pass'],
    ['Cmd is (none), its base\'s is ["serve"]']
  ],
  [12, 'USER root', {}, { User: 'root' }, ['pass', 'pass', 'warning', 'pass'], ['runs as user root, its base as openhands', 'USER openhands']],
  [13, 'USER 0', {}, { User: '0' }, ['pass', 'pass', 'warning', 'pass'], ['user 0']],
  [14, 'USER 0:0', {}, { User: '0:0' }, ['pass', 'pass', 'warning', 'pass'], ['user 0:0']],
  [15, 'USER root:root', {}, { User: 'root:root' }, ['pass', 'pass', 'warning', 'pass'], ['user root:root']],
  [
    16,
    'an empty User on a base that sets one',
    {},
    { User: '' },
    ['pass', 'pass', 'warning', 'pass'],
    ['runs as root (User is not set), its base as openhands']
  ],
  [17, 'no User field at all', {}, { User: undefined }, ['pass', 'pass', 'warning', 'pass'], ['root (User is not set)']],
  [18, 'a root base and a root image', { User: '' }, { User: '' }, ['pass', 'pass', 'warning', 'pass'], ['runs as root (User is not set):']],
  [19, 'a lost port', {}, { ExposedPorts: { '8000/tcp': {} } }, ['pass', 'pass', 'pass', 'error'], ['no longer exposes 8002/tcp, which its base exposes']],
  [20, 'no ports at all', {}, { ExposedPorts: null }, ['pass', 'pass', 'pass', 'error'], ['no longer exposes 8000/tcp, 8002/tcp']],
  [21, 'a base without ports', { ExposedPorts: undefined }, { ExposedPorts: undefined }, ok, []],
  [
    22,
    'everything wrong at once',
    {},
    { Entrypoint: ['/bin/sh'], Cmd: ['-c', 'sleep infinity'], User: 'root', ExposedPorts: {} },
    ['error', 'error', 'warning', 'error'],
    ['Entrypoint is ["/bin/sh"]', 'Cmd is ["-c","sleep infinity"]', 'user root', 'no longer exposes 8000/tcp, 8002/tcp']
  ]
]

describe('compareContract', () => {
  it.each(rows)('%i %s', (_n, _name, baseChanges, imageChanges, verdicts, fragments) => {
    const result = compareContract({ ...base, ...baseChanges }, { ...base, ...imageChanges })
    expect(result.rows.map(row => row.check)).toEqual(['Entrypoint', 'Cmd', 'User', 'Exposed ports'])
    expect(result.rows.map(row => row.verdict)).toEqual(verdicts)
    // One problem per row that did not pass, with the row's severity.
    expect(result.problems.map(p => [p.check, p.severity])).toEqual(result.rows.filter(r => r.verdict !== 'pass').map(r => [r.check, r.verdict]))
    const messages = result.problems.map(p => p.message).join('\n')
    for (const fragment of fragments) expect(messages).toContain(fragment)
  })

  it('shows both values in the rows', () => {
    const { rows: table } = compareContract(base, { ...base, Entrypoint: ['/bin/sh'], User: '', ExposedPorts: { '8002': {}, '9000/udp': {} } })
    expect(table).toEqual([
      { check: 'Entrypoint', expected: SHOWN, found: '["/bin/sh"]', verdict: 'error' },
      { check: 'Cmd', expected: '(none)', found: '(none)', verdict: 'pass' },
      { check: 'User', expected: 'openhands', found: '(not set: root)', verdict: 'warning' },
      { check: 'Exposed ports', expected: '8000/tcp, 8002/tcp', found: '8002/tcp, 9000/udp', verdict: 'error' }
    ])
  })
})

describe('isRoot', () => {
  it.each([
    ['', true],
    ['root', true],
    ['0', true],
    ['0:0', true],
    ['root:root', true],
    ['000', true],
    [' root ', true],
    ['openhands', false],
    ['10001', false],
    ['10001:0', false],
    ['rooted', false]
  ])('%j → %s', (user, expected) => {
    expect(isRoot(user)).toBe(expected)
  })
})
