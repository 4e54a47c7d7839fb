import type { LayerEntry } from '../../src/verify/layer-scan.js'
import { homeOf, sandboxFiles, unwritableMessage, workspaceMessage, writable, type SandboxFilesInput } from '../../src/verify/sandbox-files.js'
import type { Whiteout } from '../../src/verify/whiteout.js'

const user = { uid: 10001, gid: 10001, fsGroup: 10001 }
const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nopenhands:x:10001:10001:openhands:/home/openhands:/bin/bash\n'
const file = (path: string, uid = 0, mode = 0o644, gid = uid): LayerEntry => ({ path, kind: 'file', uid, gid, mode })
const dir = (path: string, uid = 0, mode = 0o755, gid = uid): LayerEntry => ({ path, kind: 'dir', uid, gid, mode })

function input(layers: Array<[number, LayerEntry[], Whiteout[]?]>, passwd: string | null = PASSWD): SandboxFilesInput {
  return {
    layers: new Map(layers.map(([index, entries, whiteouts]) => [index, { entries, whiteouts: whiteouts ?? [] }])),
    instructions: [
      'FROM base',
      'COPY repo /workspace/project/repo',
      'RUN mkdir -p /home/openhands/.cache/tool',
      'RUN rm -rf /workspace/project',
      'WORKDIR /workspace/project'
    ],
    ...(passwd === null ? {} : { passwd }),
    user
  }
}

describe('sandboxFiles: /workspace', () => {
  it('counts the files a layer adds under /workspace, names the first ones and the instruction', () => {
    const result = sandboxFiles(
      input([[1, [dir('/workspace'), dir('/workspace/project'), file('/workspace/project/repo/b.py'), file('/workspace/project/repo/a.md')]]])
    )
    expect(result.workspace).toEqual({
      count: 2,
      first: [
        { path: '/workspace/project/repo/a.md', layer: 2, instruction: 'COPY repo /workspace/project/repo', uid: 0 },
        { path: '/workspace/project/repo/b.py', layer: 2, instruction: 'COPY repo /workspace/project/repo', uid: 0 }
      ]
    })
  })

  it.each<[string, Array<[number, LayerEntry[], Whiteout[]?]>]>([
    ['the empty folders a WORKDIR makes', [[4, [dir('/workspace'), dir('/workspace/project')]]]],
    [
      'files a later layer deleted (whiteout)',
      [
        [1, [file('/workspace/project/repo/a.md')]],
        [3, [], [{ kind: 'file', path: '/workspace/project' }]]
      ]
    ],
    [
      'files under a folder a later layer made opaque',
      [
        [1, [file('/workspace/x')]],
        [3, [], [{ kind: 'opaque', dir: '/workspace' }]]
      ]
    ],
    ['a similar name', [[1, [file('/workspaces/x'), file('/workspace')]]]]
  ])('does not count %s', (_name, layers) => {
    expect(sandboxFiles(input(layers)).workspace).toBeUndefined()
  })

  it('a file written again after its folder was deleted counts', () => {
    const layers: Array<[number, LayerEntry[], Whiteout[]?]> = [
      [1, [file('/workspace/a')]],
      [3, [file('/workspace/b')], [{ kind: 'opaque', dir: '/workspace' }]]
    ]
    expect(sandboxFiles(input(layers)).workspace?.first.map(path => path.path)).toEqual(['/workspace/b'])
  })

  it('the message says what is hidden, by what, and the fix', () => {
    const message = workspaceMessage({
      count: 7,
      first: [{ path: '/workspace/project/repo/a.md', layer: 2, instruction: 'COPY repo /workspace/project/repo', uid: 0 }]
    })
    expect(message).toBe(
      'The image has 7 file(s) under /workspace (/workspace/project/repo/a.md and 6 more), added by COPY repo /workspace/project/repo (layer 2). ' +
        "In OHE /workspace is the sandbox's own volume, mounted over the image's, so the sandbox starts with an empty /workspace and never sees them. " +
        'Bake them under e.g. /opt/<name>-seed instead, and link or copy them into /workspace in a prepare-* helper that runs in the sandbox.'
    )
  })
})

describe('sandboxFiles: HOME and /tmp', () => {
  it('warns about root-owned files under HOME and /tmp; HOME itself and writable ones are fine', () => {
    const result = sandboxFiles(
      input([
        [
          2,
          [
            dir('/home/openhands'),
            dir('/home/openhands/.cache'),
            dir('/home/openhands/.cache/tool'),
            file('/home/openhands/.cache/tool/config'),
            file('/home/openhands/.bashrc', 10001),
            file('/home/openhands/shared', 0, 0o664, 10001),
            file('/tmp/build.log'),
            file('/tmp/open', 0, 0o666),
            file('/root/.npmrc')
          ]
        ]
      ])
    )
    expect(result.home).toBe('/home/openhands')
    expect(result.passwd).toBe('found')
    expect(result.unwritable?.count).toBe(4)
    expect(result.unwritable?.first.map(path => path.path)).toEqual([
      '/home/openhands/.cache',
      '/home/openhands/.cache/tool',
      '/home/openhands/.cache/tool/config',
      '/tmp/build.log'
    ])
  })

  it('a later chown (the same path again, owned by the user) clears it', () => {
    const layers: Array<[number, LayerEntry[], Whiteout[]?]> = [
      [2, [file('/home/openhands/.cache/x')]],
      [3, [file('/home/openhands/.cache/x', 10001)]]
    ]
    expect(sandboxFiles(input(layers)).unwritable).toBeUndefined()
  })

  it('no passwd entry for the uid: HOME is /, and nothing outside /tmp is judged', () => {
    const result = sandboxFiles(input([[2, [file('/home/openhands/x')]]], 'root:x:0:0:root:/root:/bin/sh\n'))
    expect(result).toEqual({ uid: 10001, passwd: 'no-entry' })
  })

  it('an unreadable passwd: unknown, only /tmp judged', () => {
    expect(sandboxFiles(input([[2, [file('/tmp/x')]]], null))).toMatchObject({ passwd: 'unknown', unwritable: { count: 1 } })
  })

  it('the warning names paths, owners, the instruction and the usual causes', () => {
    const result = sandboxFiles(input([[2, [file('/home/openhands/.cache/tool/config')]]]))
    expect(unwritableMessage(result.unwritable ?? { count: 0, first: [] }, result, user)).toBe(
      "1 path(s) under HOME /home/openhands or /tmp are not writable by the sandbox's user 10001:10001 (/home/openhands/.cache/tool/config; owned by uid 0), " +
        "made by RUN mkdir -p /home/openhands/.cache/tool (layer 3). The agent's tools fail to write there. Typical causes: pip install --user, npm config or " +
        'tool caches written by a RUN as root. Run that step as USER openhands, or chown -R 10001:10001 the path in the same RUN.'
    )
  })
})

describe('writable and homeOf', () => {
  it.each<[LayerEntry, boolean]>([
    [file('/x', 10001, 0o644), true],
    [file('/x', 10001, 0o444), false],
    [file('/x', 0, 0o664, 10001), true],
    [file('/x', 0, 0o644, 10001), false],
    [file('/x', 0, 0o666), true],
    [dir('/x', 0, 0o1777), true],
    [{ path: '/x', kind: 'link', uid: 0, gid: 0, mode: 0o777 }, true]
  ])('%j -> %s', (entry, expected) => {
    expect(writable(entry, user)).toBe(expected)
  })

  it.each([
    [PASSWD, 10001, '/home/openhands'],
    [PASSWD, 0, '/root'],
    ['x:x:10001:10001::/:/bin/sh\n', 10001, '/'],
    ['x:x:10001:10001::/opt/home/:/bin/sh\n', 10001, '/opt/home'],
    [PASSWD, 20000, undefined]
  ])('homeOf(%j, %d) = %s', (passwd, uid, home) => {
    expect(homeOf(passwd, uid)).toBe(home)
  })
})
