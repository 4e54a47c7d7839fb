import { formatReference, isValidTag, parseImageReference, parseRepository, repositoryName, type ImageReference } from '../src/grammar.js'

const SHA = 'sha256:' + 'a'.repeat(64)

describe('parseImageReference: valid references, normalised as Docker does', () => {
  const rows: Array<[string, ImageReference]> = [
    ['ubuntu', { registry: 'docker.io', repository: 'library/ubuntu' }],
    ['ubuntu:22.04', { registry: 'docker.io', repository: 'library/ubuntu', tag: '22.04' }],
    ['library/ubuntu', { registry: 'docker.io', repository: 'library/ubuntu' }],
    ['docker.io/ubuntu', { registry: 'docker.io', repository: 'library/ubuntu' }],
    ['index.docker.io/ubuntu', { registry: 'docker.io', repository: 'library/ubuntu' }],
    ['registry-1.docker.io/ubuntu:1', { registry: 'docker.io', repository: 'library/ubuntu', tag: '1' }],
    ['DOCKER.IO/ubuntu', { registry: 'docker.io', repository: 'library/ubuntu' }],
    ['acme/sandbox', { registry: 'docker.io', repository: 'acme/sandbox' }],
    ['ghcr.io/openhands/agent-server:1.23.0-python', { registry: 'ghcr.io', repository: 'openhands/agent-server', tag: '1.23.0-python' }],
    ['GHCR.IO/openhands/agent-server:1.23.0-python', { registry: 'ghcr.io', repository: 'openhands/agent-server', tag: '1.23.0-python' }],
    [`ghcr.io/openhands/agent-server:1.23.0-python@${SHA}`, { registry: 'ghcr.io', repository: 'openhands/agent-server', tag: '1.23.0-python', digest: SHA }],
    [`ghcr.io/openhands/agent-server@${SHA}`, { registry: 'ghcr.io', repository: 'openhands/agent-server', digest: SHA }],
    [`busybox@sha512:${'0'.repeat(128)}`, { registry: 'docker.io', repository: 'library/busybox', digest: `sha512:${'0'.repeat(128)}` }],
    ['localhost/sandbox', { registry: 'localhost', repository: 'sandbox' }],
    ['localhost:5000/a/b/c:dev', { registry: 'localhost:5000', repository: 'a/b/c', tag: 'dev' }],
    ['localhost', { registry: 'docker.io', repository: 'library/localhost' }],
    ['localhost:5000', { registry: 'docker.io', repository: 'library/localhost', tag: '5000' }],
    ['127.0.0.1:5000/sandbox', { registry: '127.0.0.1:5000', repository: 'sandbox' }],
    ['[::1]:5000/sandbox:tag', { registry: '[::1]:5000', repository: 'sandbox', tag: 'tag' }],
    ['my-registry.example.com/team/x', { registry: 'my-registry.example.com', repository: 'team/x' }],
    // An upper-case first component is a registry (distribution/reference's splitDockerDomain).
    ['Foo/bar', { registry: 'foo', repository: 'bar' }],
    ['a__b/c-d/e.f/g--h:_tag', { registry: 'docker.io', repository: 'a__b/c-d/e.f/g--h', tag: '_tag' }]
  ]
  it.each(rows)('%s', (text, expected) => {
    expect(parseImageReference(text)).toEqual(expected)
  })
})

describe('parseImageReference: invalid references', () => {
  const rows: Array<[string, string]> = [
    ['', 'empty'],
    ['Ubuntu', 'upper case in a Docker Hub name'],
    ['ghcr.io/OpenHands/agent-server', 'upper case in the path'],
    ['ubuntu:', 'empty tag'],
    ['ubuntu:-x', 'tag starting with -'],
    [`ubuntu:${'a'.repeat(129)}`, 'tag longer than 128'],
    ['ubuntu:a:b', 'two tags'],
    ['ubuntu@sha256:abc', 'short digest'],
    [`ubuntu@sha256:${'A'.repeat(64)}`, 'upper-case digest hex'],
    [`ubuntu@md5:${'a'.repeat(32)}`, 'unknown digest algorithm'],
    [`ubuntu@${SHA}@${SHA}`, 'two digests'],
    ['f'.repeat(64), 'a 64-hex image ID'],
    ['ghcr.io:port/x', 'non-numeric port'],
    ['-ghcr.io/x', 'domain starting with -'],
    ['ghcr.io//x', 'empty path component'],
    ['ghcr.io/x/', 'trailing slash'],
    ['x_/y', 'separator at the end of a component'],
    ['x___y', 'three underscores'],
    ['x..y', 'two dots'],
    [' ubuntu', 'leading space'],
    ['ghcr.io/openhands/agent-server:${VERSION}-python', 'an unexpanded variable'],
    [`ghcr.io/${'a'.repeat(250)}`, 'name longer than 255'],
    ['[::1/x', 'unclosed IPv6 bracket']
  ]
  it.each(rows)('%s (%s)', text => {
    expect(parseImageReference(text)).toBeUndefined()
  })

  it('rejects a 1 MB string without scanning it with regexes', () => {
    expect(parseImageReference('a'.repeat(1024 * 1024))).toBeUndefined()
  })
})

describe('parseRepository', () => {
  const rows: Array<[string, { registry: string; repository: string } | undefined]> = [
    ['ghcr.io/openhands/agent-server', { registry: 'ghcr.io', repository: 'openhands/agent-server' }],
    ['GHCR.IO/openhands/agent-server', { registry: 'ghcr.io', repository: 'openhands/agent-server' }],
    ['ubuntu', { registry: 'docker.io', repository: 'library/ubuntu' }],
    ['ghcr.io/acme/sandbox:1.0', undefined],
    [`ghcr.io/acme/sandbox@${SHA}`, undefined],
    ['ghcr.io/Acme/sandbox', undefined],
    ['', undefined]
  ]
  it.each(rows)('%s', (text, expected) => {
    expect(parseRepository(text)).toEqual(expected)
  })
})

describe('repositoryName and formatReference', () => {
  it.each([
    ['ubuntu', 'docker.io/library/ubuntu', 'docker.io/library/ubuntu'],
    ['GHCR.IO/openhands/agent-server:1.23.0-python', 'ghcr.io/openhands/agent-server', 'ghcr.io/openhands/agent-server:1.23.0-python'],
    [`index.docker.io/acme/x:1@${SHA}`, 'docker.io/acme/x', `docker.io/acme/x:1@${SHA}`]
  ])('%s', (text, name, formatted) => {
    const reference = parseImageReference(text) as ImageReference
    expect(repositoryName(reference)).toBe(name)
    expect(formatReference(reference)).toBe(formatted)
  })
})

describe('isValidTag', () => {
  it.each([
    ['1.23.0-python', true],
    ['latest', true],
    ['_x', true],
    ['A.b-C_9', true],
    ['a'.repeat(128), true],
    ['a'.repeat(129), false],
    ['', false],
    ['.x', false],
    ['-x', false],
    ['a/b', false],
    ['a:b', false],
    ['a b', false]
  ])('%s -> %s', (tag, valid) => {
    expect(isValidTag(tag)).toBe(valid)
  })
})
