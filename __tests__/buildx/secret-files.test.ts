import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import path from 'node:path'
import { UserError } from '../../src/errors.js'
import { makePrivateDir, removeDir, TEMP_PREFIX, writeSecretFiles } from '../../src/buildx/secret-files.js'
import { scratchDir } from '../support/scratch.js'

const mode = (file: string): number => statSync(file).mode & 0o777

describe('writeSecretFiles', () => {
  let base: string
  beforeEach(() => {
    base = scratchDir('secret-files-test-')
  })
  afterEach(() => rmSync(base, { recursive: true, force: true }))

  test('one 0600 file per secret, in a 0700 dir, holding exactly the value', async () => {
    const values = [
      { id: 'npm_token', value: 'npm_abc123' },
      // Values keep spaces, '=' and a trailing newline: what the user gave is what the build reads.
      { id: 'pip.conf', value: '[global]\nindex-url = https://u:p@pypi.example/simple\n' }
    ]
    const { dir, files } = await writeSecretFiles(values, base)
    expect(path.dirname(dir)).toBe(base)
    expect(path.basename(dir).startsWith(TEMP_PREFIX)).toBe(true)
    expect(mode(dir)).toBe(0o700)
    expect(files.map(file => file.id)).toEqual(['npm_token', 'pip.conf'])
    for (const [index, file] of files.entries()) {
      expect(path.dirname(file.path)).toBe(dir)
      expect(mode(file.path)).toBe(0o600)
      expect(readFileSync(file.path, 'utf8')).toBe(values[index]?.value)
    }
  })

  test('file names come from the position, never from the id', async () => {
    const { files } = await writeSecretFiles([{ id: 'a', value: 'x' }], base)
    expect(path.basename(files[0]?.path ?? '')).toBe('secret-1')
  })

  test('0600 even under a permissive umask', async () => {
    const previous = process.umask(0o000)
    try {
      const { dir, files } = await writeSecretFiles([{ id: 'a', value: 'x' }], base)
      expect(mode(dir)).toBe(0o700)
      expect(mode(files[0]?.path ?? '')).toBe(0o600)
    } finally {
      process.umask(previous)
    }
  })

  test.each([
    ['a path', '../etc/passwd'],
    ['a CSV separator', 'a,src=/etc/shadow'],
    ['a space', 'my token'],
    ['a leading dash', '-x']
  ])('an id with %s is refused, quoted, before anything is written', async (_what, id) => {
    const attempt = writeSecretFiles([{ id, value: 'v' }], base)
    await expect(attempt).rejects.toThrow(UserError)
    await expect(attempt).rejects.toThrow(`secrets: id '${id}' cannot be a BuildKit secret id`)
    expect(readdirSync(base)).toEqual([])
  })

  test('an id given twice is refused', async () => {
    await expect(
      writeSecretFiles(
        [
          { id: 'tok', value: '1' },
          { id: 'tok', value: '2' }
        ],
        base
      )
    ).rejects.toThrow("secrets: id 'tok' is given twice")
  })

  test('the error never carries the value', async () => {
    const secret = 'ghp_do_not_print_me'
    await expect(writeSecretFiles([{ id: 'bad id', value: secret }], base)).rejects.not.toThrow(secret)
  })

  test('removeDir removes the dir with its files, and a dir already gone is fine', async () => {
    const { dir } = await writeSecretFiles([{ id: 'a', value: 'x' }], base)
    await removeDir(dir)
    expect(existsSync(dir)).toBe(false)
    await expect(removeDir(dir)).resolves.toBeUndefined()
  })
})

describe('makePrivateDir', () => {
  test('a private dir under the base', async () => {
    const base = scratchDir('private-dir-test-')
    try {
      const dir = await makePrivateDir(base)
      expect(path.dirname(dir)).toBe(base)
      expect(mode(dir)).toBe(0o700)
    } finally {
      rmSync(base, { recursive: true, force: true })
    }
  })
})
