import tar from 'tar-stream'
import { discoverHelpers, HELPER_NAME, pathOf, type HelperLayer } from '../../src/verify/helpers.js'
import { scanLayerTar } from '../../src/verify/layer-scan.js'
import { scratchDir } from '../support/scratch.js'
import type { Whiteout } from '../../src/verify/whiteout.js'

const PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']

describe('HELPER_NAME', () => {
  it.each([
    ['prepare-project', true],
    ['prepare-acme-api', true],
    ['company-verify', true],
    ['verify', false],
    ['prepare-', false],
    ['-verify', false],
    ['prepare', false],
    ['verify-all', false],
    ['preparer-x', false]
  ])('%s', (name, matches) => {
    expect(HELPER_NAME.test(name)).toBe(matches)
  })
})

describe('pathOf', () => {
  it.each<[string[] | undefined, string[]]>([
    [
      ['LANG=C', 'PATH=/usr/local/bin:/usr/bin:/bin'],
      ['/usr/local/bin', '/usr/bin', '/bin']
    ],
    [
      ['PATH=/a', 'PATH=/opt/tools/bin/:/usr//bin'],
      ['/opt/tools/bin', '/usr/bin']
    ],
    [['PATH=relative:/bin:'], ['/bin']],
    [['HOME=/root'], []],
    [undefined, []]
  ])('%j', (env, dirs) => {
    expect(pathOf(env)).toEqual(dirs)
  })
})

describe('discoverHelpers: over the custom layers entries', () => {
  const exe = (path: string, executable = true): { path: string; executable: boolean } => ({ path, executable })
  it.each<[string, HelperLayer[], Whiteout[][], Array<[string, number]>]>([
    [
      'the public example: prepare-* and *-verify copied to /usr/local/bin',
      [{ index: 1, helpers: [exe('/usr/local/bin/prepare-project'), exe('/usr/local/bin/company-verify')] }],
      [],
      [
        ['/usr/local/bin/company-verify', 2],
        ['/usr/local/bin/prepare-project', 2]
      ]
    ],
    ['not executable: COPY without chmod', [{ index: 1, helpers: [exe('/usr/local/bin/prepare-project', false)] }], [], []],
    [
      'made executable by a later layer (RUN chmod +x) counts from that layer',
      [
        { index: 1, helpers: [exe('/usr/local/bin/prepare-project', false)] },
        { index: 2, helpers: [exe('/usr/local/bin/prepare-project')] }
      ],
      [],
      [['/usr/local/bin/prepare-project', 3]]
    ],
    [
      'deleted by a later layer',
      [{ index: 1, helpers: [exe('/usr/local/bin/prepare-project')] }],
      [[], [], [{ kind: 'file', path: '/usr/local/bin/prepare-project' }]],
      []
    ],
    [
      'its folder emptied by a later layer (opaque whiteout)',
      [{ index: 1, helpers: [exe('/usr/local/bin/x-verify')] }],
      [[], [], [{ kind: 'opaque', dir: '/usr/local/bin' }]],
      []
    ],
    [
      'deleted, then added again',
      [
        { index: 1, helpers: [exe('/usr/local/bin/prepare-project')] },
        { index: 3, helpers: [exe('/usr/local/bin/prepare-project')] }
      ],
      [[], [], [{ kind: 'file', path: '/usr/local/bin/prepare-project' }], []],
      [['/usr/local/bin/prepare-project', 4]]
    ],
    ['off the PATH: baked under /opt', [{ index: 1, helpers: [exe('/opt/seed/bin/prepare-project'), exe('/usr/local/bin/sub/prepare-x')] }], [], []],
    [
      'the same name in two PATH folders: both listed, by name then path',
      [{ index: 1, helpers: [exe('/usr/local/bin/prepare-a'), exe('/usr/bin/prepare-a'), exe('/bin/a-verify')] }],
      [],
      [
        ['/bin/a-verify', 2],
        ['/usr/bin/prepare-a', 2],
        ['/usr/local/bin/prepare-a', 2]
      ]
    ]
  ])('%s', (_, layers, whiteouts, expected) => {
    expect(discoverHelpers(layers, whiteouts, PATH).map(helper => [helper.path, helper.layer])).toEqual(expected)
  })

  it('names each helper by its file name', () => {
    expect(discoverHelpers([{ index: 0, helpers: [exe('/usr/bin/prepare-project')] }], [], PATH)).toEqual([
      { path: '/usr/bin/prepare-project', name: 'prepare-project', layer: 1 }
    ])
  })
})

/** A layer tar of entries with their type and mode, as a Dockerfile's COPY, RUN chmod and RUN ln leave them. */
async function layerOf(entries: Array<Partial<tar.Header> & { name: string }>): Promise<Buffer> {
  const pack = tar.pack()
  const chunks: Buffer[] = []
  const done = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer)
  })()
  for (const header of entries) {
    const body = header.type === 'file' ? '#!/bin/sh\necho hi\n' : ''
    await new Promise<void>((resolve, reject) => pack.entry(header, body, error => (error ? reject(error) : resolve())))
  }
  pack.finalize()
  await done
  return Buffer.concat(chunks)
}

async function* chunks(buffer: Buffer): AsyncGenerator<Buffer> {
  yield buffer
}

describe('the layer scan collects helper-named entries', () => {
  it('keeps files and links named prepare-* or *-verify with their x bit, and nothing else', async () => {
    const layer = await layerOf([
      { name: 'usr/local/bin/', type: 'directory', mode: 0o755 },
      { name: 'usr/local/bin/prepare-project', type: 'file', mode: 0o755 },
      { name: 'usr/local/bin/company-verify', type: 'file', mode: 0o644 },
      { name: 'usr/local/bin/prepare-linked', type: 'symlink', linkname: '/opt/seed/bin/prepare-linked', mode: 0o777 },
      { name: 'usr/local/bin/other-tool', type: 'file', mode: 0o755 },
      { name: 'usr/local/bin/prepare-dir/', type: 'directory', mode: 0o755 },
      { name: 'usr/local/bin/.wh.old-verify', type: 'file', mode: 0o644 },
      { name: 'usr/local/bin/.wh.prepare-gone', type: 'file', mode: 0o755 }
    ])
    const scan = await scanLayerTar(chunks(layer), { spoolDir: scratchDir('helpers-') })
    expect(scan.helpers).toEqual([
      { path: '/usr/local/bin/prepare-project', executable: true },
      { path: '/usr/local/bin/company-verify', executable: false },
      { path: '/usr/local/bin/prepare-linked', executable: true }
    ])
    expect(scan.whiteouts).toEqual([
      { kind: 'file', path: '/usr/local/bin/old-verify' },
      { kind: 'file', path: '/usr/local/bin/prepare-gone' }
    ])
  })
})
