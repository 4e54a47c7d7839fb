/**
 * The installed-package policy in the image scan: docker save archives made in the test (OCI layout and the old
 * one), streamed through scanSaveArchive, assembled and classified as the verify phase does. A token-shaped string
 * inside an installed package is a notice naming the package, unless scan-installed-packages is fail; credential
 * files, node_modules/.cache and config findings stay findings.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PackageIndex } from '../../src/secrets/packages.js'
import { RecordView, classifyInstalledPackages } from '../../src/verify/image-packages.js'
import { packageRecordKind } from '../../src/verify/package-records.js'
import { assembleImageSecrets, type ConfigBlob, type ImageSecrets } from '../../src/verify/image-scan.js'
import { scanSaveArchive } from '../../src/verify/save-archive.js'
import { checksummed } from '../secrets/fixtures.js'
import { tarOf } from './support.js'

type Files = Record<string, string>

const sha = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex')

async function* chunked(data: Buffer, size = 4099): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size)
}

/** A docker save archive of `layers` (the first is the base) in the OCI layout of Docker 25+ or the older one. */
async function saveOf(layers: Files[], env: string[], layout: 'oci' | 'legacy'): Promise<{ archive: Buffer; configDigest: string; config: ConfigBlob }> {
  const tars = await Promise.all(layers.map(tarOf))
  const diffIds = tars.map(layer => `sha256:${sha(layer)}`)
  const config: ConfigBlob = {
    config: { Env: env },
    history: layers.map((_, index) => ({ created_by: index === 0 ? 'base' : `RUN /bin/sh -c step-${index} # buildkit` })),
    rootfs: { diff_ids: diffIds }
  }
  const json = JSON.stringify(config)
  const files: Record<string, string | Buffer> = {}
  if (layout === 'oci') {
    files['oci-layout'] = '{"imageLayoutVersion":"1.0.0"}'
    // Reverse order: the records of a later layer are met first, as blob names sort.
    for (const layer of [...tars].reverse()) files[`blobs/sha256/${sha(layer)}`] = layer
    files[`blobs/sha256/${sha(json)}`] = json
  } else {
    tars.forEach((layer, index) => {
      files[`${sha(`v1-${tars.length - index}`)}/layer.tar`] = layer
    })
    files[`${sha(json)}.json`] = json
  }
  const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1)))
  return { archive: await tarOf(sorted), configDigest: `sha256:${sha(json)}`, config }
}

let spool = ''
beforeEach(() => {
  spool = mkdtempSync(path.join(tmpdir(), 'verify-packages-'))
})
afterEach(() => rmSync(spool, { recursive: true, force: true }))

const BASE: Files = { 'etc/os-release': 'ID=test\n' }
const pkgJson = (name: string, version: string): string => JSON.stringify({ name, version, main: 'lib/x.js' })

async function scanImage(
  layers: Files[],
  mode: 'notice' | 'fail',
  layout: 'oci' | 'legacy',
  env: string[] = [],
  recordsTotal?: number
): Promise<ImageSecrets & { dropped: boolean }> {
  const image = await saveOf([BASE, ...layers], env, layout)
  const archive = await scanSaveArchive(chunked(image.archive), {
    imageId: image.configDigest,
    diffIds: image.config.rootfs?.diff_ids ?? [],
    baseLayers: 1,
    spoolDir: spool,
    spoolAt: 2048,
    ...(recordsTotal === undefined ? {} : { recordsTotal })
  })
  const assembled = assembleImageSecrets(archive, image.config, { layers: 1, env: [], labels: {} }, new Set())
  return { ...(await classifyInstalledPackages(assembled, archive, mode)), dropped: archive.recordsDropped === true }
}

type Row = [string, number | undefined, string | undefined]
const rows = (list: ImageSecrets['findings'] | undefined): Row[] => (list ?? []).map(f => [f.where, f.layer, f.package])

describe('packageRecordKind', () => {
  it.each([
    ['/app/node_modules/pkg/package.json', 'content'],
    ['/app/node_modules/@scope/pkg/package.json', 'content'],
    ['/app/node_modules/pkg/node_modules/dep/package.json', 'content'],
    ['/app/node_modules/.cache/package.json', undefined],
    ['/app/node_modules/@scope/package.json', undefined],
    ['/app/node_modules/pkg/lib/package.json', undefined],
    ['/app/package.json', undefined],
    ['/usr/lib/python3/dist-packages/requests-2.31.0.dist-info/top_level.txt', 'content'],
    ['/venv/lib/python3.12/site-packages/boto3-1.34.0.dist-info/RECORD', 'content'],
    ['/venv/lib/python3.12/site-packages/boto3-1.34.0.dist-info/METADATA', 'marker'],
    ['/venv/lib/python3.12/site-packages/six-1.16.0-py3.12.egg-info', 'marker'],
    ['/venv/lib/python3.12/site-packages/boto3/RECORD', undefined],
    ['/src/vendor/modules.txt', 'content'],
    ['/src/vendor/composer/installed.json', 'content'],
    ['/src/vendor/x/modules.txt', undefined]
  ])('%s -> %s', (file, kind) => expect(packageRecordKind(file)).toBe(kind))
})

describe('RecordView', () => {
  it('lets later layers override, and whiteouts delete only what the layers below put there', async () => {
    const view = new RecordView()
    view.apply(
      [],
      [
        { path: '/a/node_modules/p/package.json', text: pkgJson('p', '1.0.0') },
        { path: '/a/node_modules/q/package.json', text: pkgJson('q', '1.0.0') },
        { path: '/b/node_modules/r/package.json', text: pkgJson('r', '1.0.0') }
      ]
    )
    const first = view.io()
    view.apply(
      [
        { kind: 'file', path: '/a/node_modules/q' },
        { kind: 'opaque', dir: '/b' }
      ],
      [
        { path: '/a/node_modules/p/package.json', text: pkgJson('p', '2.0.0') },
        { path: '/b/node_modules/s/package.json', text: pkgJson('s', '1.0.0') }
      ]
    )
    const second = view.io()
    const lookups = async (io: ReturnType<RecordView['io']>): Promise<Array<string | undefined>> => {
      const index = new PackageIndex(io)
      return Promise.all(['a/node_modules/p/x.js', 'a/node_modules/q/x.js', 'b/node_modules/r/x.js', 'b/node_modules/s/x.js'].map(f => index.lookup(f)))
    }
    // The snapshot taken before the second layer does not see it.
    expect(await lookups(first)).toEqual(['p@1.0.0', 'q@1.0.0', 'r@1.0.0', undefined])
    expect(await lookups(second)).toEqual(['p@2.0.0', undefined, undefined, 's@1.0.0'])
    expect(await second.list('a/node_modules')).toEqual(['p'])
  })
})

describe('RecordView at scale', () => {
  it('applies thousands of whiteouts over thousands of records by what they delete, an opaque root clearing all', async () => {
    const view = new RecordView()
    const records = Array.from({ length: 20_000 }, (_, i) => ({ path: `/app/node_modules/p${i}/package.json`, text: pkgJson(`p${i}`, '1.0.0') }))
    view.apply([], records)
    // An apt purge: whiteouts of files no record is under, and of every other package folder.
    const whiteouts = [
      ...Array.from({ length: 20_000 }, (_, i) => ({ kind: 'file' as const, path: `/usr/share/doc/d${i}` })),
      ...Array.from({ length: 10_000 }, (_, i) => ({ kind: 'file' as const, path: `/app/node_modules/p${2 * i}` }))
    ]
    view.apply(whiteouts, [])
    expect(
      await view
        .io()
        .list('app/node_modules')
        .then(names => names.length)
    ).toBe(10_000)
    const index = new PackageIndex(view.io())
    expect(await Promise.all(['app/node_modules/p0/x.js', 'app/node_modules/p1/x.js'].map(f => index.lookup(f)))).toEqual([undefined, 'p1@1.0.0'])
    view.apply([{ kind: 'opaque', dir: '/' }], [])
    expect(await view.io().list('')).toEqual([])
  })
})

describe.each(['oci', 'legacy'] as const)('installed packages in the image, %s layout', layout => {
  const token = checksummed('npm_')
  const code = `module.exports = { token: '${token}' }\n`

  it('reports a token in node_modules/<pkg> with its package.json in the same layer as a notice naming pkg@version', async () => {
    const result = await scanImage([{ 'app/node_modules/pkg/package.json': pkgJson('pkg', '1.2.3'), 'app/node_modules/pkg/lib/x.js': code }], 'notice', layout)
    expect(rows(result.findings)).toEqual([])
    expect(rows(result.notices)).toEqual([['/app/node_modules/pkg/lib/x.js', 2, 'pkg@1.2.3']])
    expect(JSON.stringify(result)).not.toContain(token)
  })

  it('finds the package.json in an earlier layer, and a scoped package', async () => {
    const result = await scanImage(
      [
        { 'app/node_modules/pkg/package.json': pkgJson('pkg', '1.2.3'), 'app/node_modules/@sc/sdk/package.json': pkgJson('@sc/sdk', '4.0.0') },
        { 'app/node_modules/pkg/lib/x.js': code, 'app/node_modules/@sc/sdk/index.js': code }
      ],
      'notice',
      layout
    )
    expect(rows(result.findings)).toEqual([])
    expect(rows(result.notices)).toEqual([
      ['/app/node_modules/@sc/sdk/index.js', 3, '@sc/sdk@4.0.0'],
      ['/app/node_modules/pkg/lib/x.js', 3, 'pkg@1.2.3']
    ])
  })

  it('keeps package findings failing with scan-installed-packages: fail, the package named', async () => {
    const result = await scanImage([{ 'app/node_modules/pkg/package.json': pkgJson('pkg', '1.2.3'), 'app/node_modules/pkg/lib/x.js': code }], 'fail', layout)
    expect(rows(result.findings)).toEqual([['/app/node_modules/pkg/lib/x.js', 2, 'pkg@1.2.3']])
    expect(rows(result.notices)).toEqual([])
  })

  it('keeps failing on a credential file inside a package, on node_modules/.cache, and on the config', async () => {
    const result = await scanImage(
      [
        {
          'app/node_modules/pkg/package.json': pkgJson('pkg', '1.2.3'),
          'app/node_modules/pkg/.npmrc': `//registry.npmjs.org/:_authToken=${token}\n`,
          'app/node_modules/.cache/x': `token ${token}\n`
        }
      ],
      'notice',
      layout,
      [`NPM_TOKEN=${token}`]
    )
    expect(rows(result.findings).map(([where, layer]) => [where, layer])).toEqual([
      ['Env NPM_TOKEN', undefined],
      ['/app/node_modules/.cache/x', 2],
      ['/app/node_modules/pkg/.npmrc', 2]
    ])
    expect(rows(result.notices)).toEqual([])
  })

  it('reports a site-packages file with its dist-info record as a notice naming the distribution', async () => {
    const site = 'usr/lib/python3/dist-packages'
    const result = await scanImage(
      [
        {
          [`${site}/cloud_sdk-3.1.0.dist-info/METADATA`]: 'Name: cloud-sdk\nVersion: 3.1.0\n',
          [`${site}/cloud_sdk-3.1.0.dist-info/top_level.txt`]: 'cloudsdk\n',
          [`${site}/cloudsdk/examples.py`]: `EXAMPLE = "${token}"\n`,
          // A module no distribution record claims: still named, as the context scan names it.
          [`opt/app/notes.py`]: `TOKEN = "${token}"\n`
        }
      ],
      'notice',
      layout
    )
    expect(rows(result.notices)).toEqual([[`/${site}/cloudsdk/examples.py`, 2, 'cloud_sdk@3.1.0']])
    expect(rows(result.findings)).toEqual([['/opt/app/notes.py', 2, undefined]])
  })

  it('is no package once a whiteout deleted its package.json, nor when only a later layer adds one', async () => {
    const result = await scanImage(
      [
        { 'app/node_modules/pkg/package.json': pkgJson('pkg', '1.2.3') },
        { 'app/node_modules/pkg/.wh.package.json': '', 'app/node_modules/pkg/lib/x.js': code },
        { 'srv/node_modules/late/lib/y.js': code },
        { 'srv/node_modules/late/package.json': pkgJson('late', '1.0.0') }
      ],
      'notice',
      layout
    )
    expect(rows(result.findings)).toEqual([
      ['/app/node_modules/pkg/lib/x.js', 3, undefined],
      ['/srv/node_modules/late/lib/y.js', 4, undefined]
    ])
    expect(rows(result.notices)).toEqual([])
  })

  it('keeps a package notice when a later RUN removed the whole tree (its layer still ships)', async () => {
    const result = await scanImage(
      [{ 'app/node_modules/pkg/package.json': pkgJson('pkg', '1.2.3'), 'app/node_modules/pkg/lib/x.js': code }, { 'app/.wh.node_modules': '' }],
      'notice',
      layout
    )
    expect(result.notices?.map(n => [n.where, n.package, n.deletedBy?.layer])).toEqual([['/app/node_modules/pkg/lib/x.js', 'pkg@1.2.3', 3]])
    expect(rows(result.findings)).toEqual([])
  })

  it('stops keeping records past the total cap, says so, and then reports the file as a finding', async () => {
    const layer = { 'app/node_modules/pkg/package.json': pkgJson('pkg', '1.2.3'), 'app/node_modules/pkg/lib/x.js': code }
    const capped = await scanImage([layer], 'notice', layout, [], 10)
    expect(capped.dropped).toBe(true)
    expect(rows(capped.findings)).toEqual([['/app/node_modules/pkg/lib/x.js', 2, undefined]])
    const roomy = await scanImage([layer], 'notice', layout, [], 4096)
    expect(roomy.dropped).toBe(false)
    expect(rows(roomy.notices)).toEqual([['/app/node_modules/pkg/lib/x.js', 2, 'pkg@1.2.3']])
  })

  it('keeps only the first 1 MB of a record', async () => {
    const big = JSON.stringify({ name: 'big', version: '1.0.0', pad: 'x'.repeat(1024 * 1024) })
    const result = await scanImage([{ 'app/node_modules/big/package.json': big, 'app/node_modules/big/x.js': code }], 'notice', layout)
    // Cut at 1 MB, the manifest no longer parses: no package, as the context scan (which reads the same 1 MB) decides.
    expect(rows(result.findings)).toEqual([['/app/node_modules/big/x.js', 2, undefined]])
  })
})
