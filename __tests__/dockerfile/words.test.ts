import { extractFlags, isJsonStringArray, splitCommand, splitFields } from '../../src/dockerfile/words.js'

describe('extractFlags: BuildKit flag words before the arguments', () => {
  it.each([
    ['image', [], 'image'],
    ['--platform=linux/amd64 image AS x', ['--platform=linux/amd64'], 'image AS x'],
    // A value needs '=': a separate word is not the flag's value (moby/buildkit#562 was not merged).
    ['--platform linux/amd64 image', ['--platform'], 'linux/amd64 image'],
    ['--mount=type=cache,target="/a b" make', ['--mount=type=cache,target=/a b'], 'make'],
    ['-- --not-a-flag', [], ' --not-a-flag'],
    ['--link --chmod=755 a b', ['--link', '--chmod=755'], 'a b'],
    ['--platform=$BUILDPLATFORM', ['--platform=$BUILDPLATFORM'], ''],
    ['  -x', [], '-x']
  ])('%s', (line, flags, rest) => {
    expect(extractFlags(line)).toEqual({ flags, rest })
  })
})

describe('isJsonStringArray: the exec form', () => {
  it.each([
    ['["a", "b"]', true],
    ['  ["a"]', true],
    ['[]', true],
    ['["a\\"b", "\\u00e9"] trailing text', true],
    ['["a", 1]', false],
    ['["a"', false],
    ['[a]', false],
    ['echo ["a"]', false],
    ['["a\\x"]', false]
  ])('%s -> %s', (text, expected) => {
    expect(isJsonStringArray(text)).toBe(expected)
  })
})

describe('splitFields and splitCommand', () => {
  it.each([
    ['a  b\tc\r\fd', ['a', 'b', 'c', 'd']],
    ['  a  ', ['a']],
    ['', []]
  ])('splitFields %j', (text, fields) => {
    expect(splitFields(text)).toEqual(fields)
  })

  it.each([
    ['  run   echo  hi  ', { keyword: 'run', args: 'echo  hi' }],
    ['FROM', { keyword: 'FROM', args: '' }],
    ['USER\tx', { keyword: 'USER', args: 'x' }]
  ])('splitCommand %j', (line, expected) => {
    expect(splitCommand(line)).toEqual(expected)
  })
})
