import { rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { namesImage, parseMetadata, readMetadata, type BuildMetadata } from '../../src/buildx/metadata.js'
import { scratchDir } from '../support/scratch.js'

const digest = 'sha256:' + '0123456789abcdef'.repeat(4)

// A metadata file as buildx 0.13 writes it after `--push` (trimmed provenance fields).
const pushed = JSON.stringify({
  'buildx.build.ref': 'default/default/x0n9',
  'containerimage.config.digest': 'sha256:' + 'f'.repeat(64),
  'containerimage.descriptor': { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 1054 },
  'containerimage.digest': digest,
  'image.name': '127.0.0.1:5000/acme/sandbox:1.23.0-a1b2c3d,127.0.0.1:5000/acme/sandbox:latest'
})

// [row, what, file text, result]
const rows: Array<[number, string, string, BuildMetadata]> = [
  [
    1,
    'a push: digest and every name',
    pushed,
    { digest, configDigest: 'sha256:' + 'f'.repeat(64), names: ['127.0.0.1:5000/acme/sandbox:1.23.0-a1b2c3d', '127.0.0.1:5000/acme/sandbox:latest'] }
  ],
  [2, 'a cache-only build: no image, no digest', JSON.stringify({ 'buildx.build.ref': 'default/default/x0n9' }), { names: [] }],
  [3, 'an empty file', '', { names: [] }],
  [4, 'not JSON', 'ERROR: failed to solve', { names: [] }],
  [5, 'JSON but not an object', '["sha256:x"]', { names: [] }],
  [6, 'a digest that is not a sha256 digest', JSON.stringify({ 'containerimage.digest': 'sha256:abc' }), { names: [] }],
  [7, 'a digest of the wrong type', JSON.stringify({ 'containerimage.digest': 42, 'image.name': 7 }), { names: [] }],
  [8, 'null', 'null', { names: [] }]
]

test.each(rows)('%i: %s', (_row, _what, text, expected) => {
  expect(parseMetadata(text)).toEqual(expected)
})

describe('readMetadata', () => {
  const dir = scratchDir('metadata-test-')
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  test('reads the file buildx wrote', async () => {
    const file = path.join(dir, 'metadata.json')
    writeFileSync(file, pushed)
    expect((await readMetadata(file)).digest).toBe(digest)
  })

  test('a file buildx never wrote gives no digest', async () => {
    expect(await readMetadata(path.join(dir, 'missing.json'))).toEqual({ names: [] })
  })
})

describe('namesImage: the build log line that says the engine named the loaded image', () => {
  const cases: Array<[string, string, string, boolean]> = [
    ['a short name, as BuildKit expands it', '#9 naming to docker.io/library/ohe-sandbox-verify:0a1b done', 'ohe-sandbox-verify:0a1b', true],
    ['a registry name as given', '#7 naming to 127.0.0.1:5000/acme/sandbox:1.23.0 done', '127.0.0.1:5000/acme/sandbox:1.23.0', true],
    ['a Docker Hub namespace', '#12 naming to docker.io/acme/sandbox:v1 done', 'acme/sandbox:v1', true],
    ['the step still running', '#9 naming to docker.io/library/ohe-sandbox-verify:0a1b', 'ohe-sandbox-verify:0a1b', false],
    ['another tag of the build', '#7 naming to 127.0.0.1:5000/acme/sandbox:latest done', '127.0.0.1:5000/acme/sandbox:1.23.0', false],
    ['another image of that name elsewhere', '#7 naming to ghcr.io/acme/sandbox:1.23.0 done', '127.0.0.1:5000/acme/sandbox:1.23.0', false],
    ['unpacking, which follows the naming', '#7 unpacking to 127.0.0.1:5000/acme/sandbox:1.23.0 done', '127.0.0.1:5000/acme/sandbox:1.23.0', false],
    ['a RUN that prints the words', '#6 0.2 naming to docker.io/library/ohe-sandbox-verify:0a1b done', 'ohe-sandbox-verify:0a1b', false],
    ['not a reference', '#7 naming to Not/A:Name! done', 'ohe-sandbox-verify:0a1b', false]
  ]
  test.each(cases)('%s', (_what, line, image, expected) => {
    expect(namesImage(line, image)).toBe(expected)
  })
})
