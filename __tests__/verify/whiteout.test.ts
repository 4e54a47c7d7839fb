import { deletedIn, imagePath, whiteoutOf, type Whiteout } from '../../src/verify/whiteout.js'

describe('imagePath', () => {
  it.each([
    ['./usr/bin/x', '/usr/bin/x'],
    ['usr/bin/x/', '/usr/bin/x'],
    ['/usr//bin/./x', '/usr/bin/x'],
    ['.', '/'],
    ['', '/'],
    ['usr/bin/x', '/usr/bin/x'],
    ['usr/./x', '/usr/x'],
    ['usr/.', '/usr'],
    ['usr/../x', '/usr/../x'],
    ['..', '/..'],
    ['.hidden/.x', '/.hidden/.x'],
    ['app/é.js', '/app/é.js']
  ])('%j -> %j', (name, path) => expect(imagePath(name)).toBe(path))
})

describe('whiteoutOf', () => {
  it.each<[string, Whiteout | undefined]>([
    ['root/.ssh/.wh.id_ed25519', { kind: 'file', path: '/root/.ssh/id_ed25519' }],
    ['./.wh.secret.txt', { kind: 'file', path: '/secret.txt' }],
    ['opt/app/.wh..wh..opq', { kind: 'opaque', dir: '/opt/app' }],
    ['.wh..wh..opq', { kind: 'opaque', dir: '/' }],
    ['root/.ssh/id_ed25519', undefined],
    ['root/.wh.', undefined],
    ['root/x.wh.y', undefined]
  ])('%j -> %j', (name, whiteout) => expect(whiteoutOf(name)).toEqual(whiteout))
})

describe('deletedIn', () => {
  const layers: Whiteout[][] = [
    [],
    [],
    [{ kind: 'file', path: '/root/.ssh/id_ed25519' }],
    [{ kind: 'opaque', dir: '/opt/app' }],
    [{ kind: 'file', path: '/srv' }]
  ]

  it.each<[string, number, number | undefined]>([
    ['/root/.ssh/id_ed25519', 1, 2],
    ['/root/.ssh/id_ed25519', 2, undefined],
    ['/root/.ssh/id_ed25519.pub', 1, undefined],
    ['/opt/app/.env', 0, 3],
    ['/opt/app/.env', 3, undefined],
    ['/opt/application/.env', 0, undefined],
    ['/srv/agent-server/token', 1, 4],
    ['/srv', 1, 4],
    ['/etc/passwd', 0, undefined]
  ])('%j added in layer %d is deleted in layer %j', (path, layer, deleted) => {
    expect(deletedIn(path, layer, layers)).toBe(deleted)
  })
})
