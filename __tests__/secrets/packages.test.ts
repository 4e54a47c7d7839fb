// Installed third-party packages are notices (never failures) unless installedPackages is 'fail'; credential
// files and folders that are no package still fail; documented example values and example comment lines are
// counted, not reported.
import { DOCUMENTED_EXAMPLES, isDocumentedExample } from '../../src/secrets/examples.js'
import { PackageIndex } from '../../src/secrets/packages.js'
import { scanContext, type ScanResult } from '../../src/secrets/scan.js'
import { TempTree, checksummed, random, randomSecret } from './fixtures.js'

const tree = new TempTree()
let result: ScanResult
let failing: ScanResult
const b64url = (s: string): string => Buffer.from(s).toString('base64url')

beforeAll(async () => {
  const t = (): string => `const token = "${checksummed('ghp_')}"\n`
  tree.write('Dockerfile', 'FROM scratch\n')
  tree.write('node_modules/foo/package.json', JSON.stringify({ name: 'foo', version: '1.2.3' }))
  tree.write('node_modules/foo/lib/client.js', t())
  tree.write('node_modules/foo/node_modules/inner/package.json', JSON.stringify({ name: 'inner', version: '0.1.0' }))
  tree.write('node_modules/foo/node_modules/inner/index.js', t())
  tree.write('node_modules/@acme/sdk/package.json', JSON.stringify({ name: '@acme/sdk', version: '2.0.0' }))
  tree.write('node_modules/@acme/sdk/dist/index.js', t())
  tree.write('node_modules/foo/.npmrc', `//registry.npmjs.org/:_authToken=${checksummed('npm_')}\n`)
  tree.write('node_modules/foo/id_ed25519', t())
  tree.write('node_modules/foo/test/server.key', t())
  tree.write('node_modules/.cache/tool/state.json', t())
  tree.write('node_modules/nopkg/index.js', t())
  tree.write('py/site-packages/requests/auth.py', t())
  tree.write('py/site-packages/requests-2.31.0.dist-info/top_level.txt', 'requests\n')
  tree.write('py/site-packages/yaml/__init__.py', t())
  tree.write('py/site-packages/PyYAML-6.0.dist-info/top_level.txt', '_yaml\nyaml\n')
  tree.write('py/site-packages/.env', `API_TOKEN=${randomSecret(20)}\n`)
  tree.write('deb/dist-packages/jwt/api.py', t())
  tree.write('deb/dist-packages/PyJWT-2.6.0.egg-info/top_level.txt', 'jwt\n')
  tree.write('lonely/site-packages/x.py', t())
  tree.write('go/vendor/modules.txt', '# github.com/acme/api v1.4.0\n## explicit\ngithub.com/acme/api\n')
  tree.write('go/vendor/github.com/acme/api/client.go', t())
  tree.write('php/vendor/composer/installed.json', JSON.stringify({ packages: [{ name: 'acme/http', version: '3.1.0' }] }))
  tree.write('php/vendor/acme/http/src/Client.php', t())
  tree.write('rb/vendor/bundle/ruby/3.2.0/gems/octo-4.0.1/lib/octo.rb', t())
  tree.write('app/vendor/notes.txt', t())
  tree.write('app/config.js', t())
  const jwtIo = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url('{"sub":"1234567890","name":"John Doe","iat":1516239022}')}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c`
  tree.write('docs/auth.md', `Send it as a bearer token:\n\n    Authorization: Bearer ${jwtIo}\n`)
  tree.write('docs/settings.py', `# e.g. api_key = "${random(32)}"\napi_key = "${randomSecret(32)}"  # the production key\n`)
  result = await scanContext({ context: tree.root, dockerfile: tree.path('Dockerfile') })
  failing = await scanContext({ context: tree.root, dockerfile: tree.path('Dockerfile'), installedPackages: 'fail' })
})

afterAll(() => tree.remove())

test('a token in an installed package is a notice naming the package', () => {
  expect(result.notices?.map(f => [f.file, f.package])).toEqual([
    ['deb/dist-packages/jwt/api.py', 'PyJWT@2.6.0'],
    ['go/vendor/github.com/acme/api/client.go', 'github.com/acme/api@v1.4.0'],
    ['node_modules/@acme/sdk/dist/index.js', '@acme/sdk@2.0.0'],
    ['node_modules/foo/lib/client.js', 'foo@1.2.3'],
    ['node_modules/foo/node_modules/inner/index.js', 'inner@0.1.0'],
    ['php/vendor/acme/http/src/Client.php', 'acme/http@3.1.0'],
    ['py/site-packages/requests/auth.py', 'requests@2.31.0'],
    ['py/site-packages/yaml/__init__.py', 'PyYAML@6.0'],
    ['rb/vendor/bundle/ruby/3.2.0/gems/octo-4.0.1/lib/octo.rb', 'octo@4.0.1']
  ])
})

test('credential files inside packages, folders that are no package, and the project itself still fail', () => {
  expect(result.findings.map(f => f.file)).toEqual([
    'app/config.js',
    'app/vendor/notes.txt',
    'docs/settings.py',
    'lonely/site-packages/x.py',
    'node_modules/.cache/tool/state.json',
    'node_modules/foo/.npmrc',
    'node_modules/foo/id_ed25519',
    'node_modules/foo/test/server.key',
    'node_modules/nopkg/index.js',
    'py/site-packages/.env'
  ])
  expect(result.findings.every(f => f.package === undefined)).toBe(true)
})

test('scan-installed-packages: fail makes them findings, still naming the package', () => {
  expect(failing.notices).toEqual([])
  expect(failing.findings.length).toBe(result.findings.length + (result.notices?.length ?? 0))
  expect(failing.findings.find(f => f.file === 'node_modules/foo/lib/client.js')?.package).toBe('foo@1.2.3')
})

test('documented examples and example comment lines are counted, not reported', () => {
  expect(result.examples).toBe(2)
  expect(result.findings.filter(f => f.file.startsWith('docs/')).map(f => [f.file, f.line])).toEqual([['docs/settings.py', 2]])
})

test('the package index reads records once per package', async () => {
  let reads = 0
  const index = new PackageIndex({
    readText: rel => {
      reads++
      return Promise.resolve(rel === 'node_modules/a/package.json' ? '{"name":"a","version":"1.0.0"}' : undefined)
    },
    list: () => Promise.resolve([])
  })
  expect(await index.lookup('node_modules/a/x.js')).toBe('a@1.0.0')
  expect(await index.lookup('node_modules/a/y/z.js')).toBe('a@1.0.0')
  expect(await index.lookup('node_modules/b/x.js')).toBeUndefined()
  expect(await index.lookup('src/x.js')).toBeUndefined()
  expect(reads).toBe(2)
})

test('every documented example names its source and is kept only as a SHA-256', () => {
  for (const example of DOCUMENTED_EXAMPLES) {
    expect(example.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(example.source).toMatch(/^https:\/\//)
    expect(example.what.length).toBeGreaterThan(10)
  }
  expect(isDocumentedExample(random(40))).toBe(false)
})

test('a Python namespace shared by several distributions is named as one', async () => {
  const files: Record<string, string> = {
    'site-packages/azure_storage_blob-12.0.0.dist-info/top_level.txt': 'azure\n',
    'site-packages/azure_identity-1.15.0.dist-info/top_level.txt': 'azure\n',
    'site-packages/boto3-1.26.27.egg-info/top_level.txt': 'boto3\n'
  }
  const index = new PackageIndex({
    readText: rel => Promise.resolve(files[rel]),
    list: rel =>
      Promise.resolve(
        rel === 'site-packages' ? ['azure', 'boto3', 'azure_storage_blob-12.0.0.dist-info', 'azure_identity-1.15.0.dist-info', 'boto3-1.26.27.egg-info'] : []
      )
  })
  expect(await index.lookup('site-packages/azure/storage/blob/x.py')).toBe('azure (namespace of 2 installed Python distributions)')
  expect(await index.lookup('site-packages/boto3/session.py')).toBe('boto3@1.26.27')
})
