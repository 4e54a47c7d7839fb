// .dockerignore semantics, checked against the examples in Docker's documentation and against a real scan.
import balena from '@balena/dockerignore'
import { DockerIgnore } from '../../src/secrets/dockerignore.js'
import { scanContext } from '../../src/secrets/scan.js'
import { TempTree, checksummed } from './fixtures.js'

const ignores = (patterns: string, path: string): boolean => DockerIgnore.parse(patterns).ignores(path)

// https://docs.docker.com/build/concepts/context/#dockerignore-files, the documented example rules
test.each([
  ['*/temp*', 'somedir/temporary.txt', true],
  ['*/temp*', 'somedir/temp', true],
  ['*/temp*', 'temp.txt', false],
  ['*/temp*', 'a/b/temp.txt', false],
  ['*/*/temp*', 'somedir/subdir/temporary.txt', true],
  ['*/*/temp*', 'somedir/temporary.txt', false],
  ['temp?', 'tempa', true],
  ['temp?', 'tempab', false],
  ['temp?', 'dir/tempa', false],
  ['**/*.go', 'main.go', true],
  ['**/*.go', 'a/b/c/main.go', true],
  ['**/*.go', 'a/b/main.gox', false],
  ['*.md\n!README*.md', 'CHANGES.md', true],
  ['*.md\n!README*.md', 'README-secret.md', false],
  ['*.md\n!README*.md', 'docs/CHANGES.md', false],
  ['*.md\n!README*.md\nREADME-secret.md', 'README-secret.md', true],
  ['*.md\n!README*.md\nREADME-secret.md', 'README-other.md', false],
  ['*.md\nREADME-secret.md\n!README*.md', 'README-secret.md', false],
  ['/secret', 'secret', true],
  ['./secret', 'secret', true],
  ['secret/', 'secret/a/b.txt', true],
  ['# comment\n  \nsecret', 'secret', true],
  ['#secret', 'secret', false],
  ['dir', 'dir/deep/file', true],
  ['dir\n!dir/keep.txt', 'dir/keep.txt', false],
  ['dir\n!dir/keep.txt', 'dir/other.txt', true],
  ['Secret', 'secret', false],
  ['[a-c]*.txt', 'b1.txt', true],
  ['[a-c]*.txt', 'd1.txt', false],
  ['**', 'anything/at/all', true],
  ['**\n!keep/**', 'keep/x/y', false],
  ['a/**/b', 'a/b', true],
  ['a/**/b', 'a/x/y/b', true],
  ['a\\*b', 'a*b', true],
  ['a\\*b', 'axb', false]
])('%j on %s -> excluded %s', (patterns, path, excluded) => {
  expect(ignores(patterns, path)).toBe(excluded)
})

test('agrees with @balena/dockerignore (case-sensitive) on a grid of patterns and paths', () => {
  const patterns = ['*.md', '!README*.md', 'a', '!a/keep', '**/*.log', 'b/*/c', 'x?z', '/root.txt', 'dir/', '*/temp*', '**/node_modules']
  const paths = [
    'README.md',
    'x.md',
    'a',
    'a/keep',
    'a/other',
    'q/w.log',
    'w.log',
    'b/1/c',
    'b/1/2/c',
    'xyz',
    'root.txt',
    'dir/f',
    'p/temp1',
    'p/q/temp1',
    'p/node_modules/z'
  ]
  for (let n = 1; n <= patterns.length; n++) {
    const set = patterns.slice(0, n)
    const ours = new DockerIgnore(set)
    // CommonJS under NodeNext: the default import is module.exports, whose `default` is the factory too.
    const theirs = balena.default({ ignorecase: false }).add(set)
    for (const p of paths) expect([set, p, ours.ignores(p)]).toEqual([set, p, theirs.ignores(p)])
  }
})

test('an excluded directory is walked only when an exception could re-include something in it', () => {
  const plain = DockerIgnore.parse('build\n!build/keep.txt\nvendor')
  expect(plain.mayReinclude('build')).toBe(true)
  expect(plain.mayReinclude('vendor')).toBe(false)
  expect(DockerIgnore.parse('vendor\n!**/*.keep').mayReinclude('vendor')).toBe(true)
})

describe('the scan sends what docker sends', () => {
  const tree = new TempTree()
  afterAll(() => tree.remove())

  test('ignored files are not reported, re-included ones are, and the Dockerfile is scanned even when ignored', async () => {
    const token = (): string => `TOKEN=${checksummed('ghp_')}\n`
    tree.write('ctx/.dockerignore', '*.md\n!README*.md\nsecrets/\nDockerfile\n')
    tree.write('ctx/NOTES.md', token())
    tree.write('ctx/README-ops.md', token())
    tree.write('ctx/secrets/deep/x.env.txt', token())
    tree.write('ctx/docs/NOTES.md', token())
    tree.write('ctx/Dockerfile', `FROM scratch\n# ${checksummed('ghp_')}\n`)
    const result = await scanContext({ context: tree.path('ctx'), dockerfile: tree.path('ctx/Dockerfile') })
    expect(result.findings.map(f => `${f.file}:${f.line}`)).toEqual(['Dockerfile:2', 'README-ops.md:1', 'docs/NOTES.md:1'])
  })

  test('<Dockerfile>.dockerignore beside the Dockerfile wins over the context .dockerignore', async () => {
    tree.write('ctx2/.dockerignore', 'a.txt\n')
    tree.write('ctx2/a.txt', `TOKEN=${checksummed('ghp_')}\n`)
    tree.write('ctx2/b.txt', `TOKEN=${checksummed('ghp_')}\n`)
    tree.write('build/app.Dockerfile', 'FROM scratch\n')
    tree.write('build/app.Dockerfile.dockerignore', 'b.txt\n')
    const result = await scanContext({ context: tree.path('ctx2'), dockerfile: tree.path('build/app.Dockerfile') })
    expect(result.findings.map(f => f.file)).toEqual(['a.txt'])
  })

  test('a Dockerfile outside the context is reported by its path relative to the context, the same on every runner', async () => {
    tree.write('ctx3/ok.txt', 'nothing here\n')
    const dockerfile = tree.write('elsewhere/Dockerfile', `FROM scratch\nENV API_TOKEN=${checksummed('ghp_')}\n`)
    const result = await scanContext({ context: tree.path('ctx3'), dockerfile })
    expect(result.findings.map(f => [f.file, f.line, f.rule])).toEqual([['../elsewhere/Dockerfile', 2, 'github-classic-token']])
    expect(result.findings[0]?.fingerprint).toMatch(/^\.\.\/elsewhere\/Dockerfile:github-classic-token:[0-9a-f]{16}$/)
  })
})
