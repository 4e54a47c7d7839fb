import { UserError } from '../../src/errors.js'
import { formatSize, parseSize } from '../../src/verify/size.js'

describe('parseSize', () => {
  it.each([
    ['2GB', 2_000_000_000],
    ['2gb', 2_000_000_000],
    ['2G', 2_000_000_000],
    ['1.5 GiB', 1_610_612_736],
    ['500MB', 500_000_000],
    ['750m', 750_000_000],
    ['64KiB', 65_536],
    ['1048576', 1_048_576],
    [' 3 TB ', 3_000_000_000_000]
  ])('%j is %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes)
  })

  it.each(['', 'GB', '2 GB extra', '-1GB', '2XB', '1,5GB', '0', '0MB'])('rejects %j, quoting it', text => {
    expect(() => parseSize(text)).toThrow(UserError)
    expect(() => parseSize(text)).toThrow(`max-added-size '${text}'`)
  })
})

describe('formatSize', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1.00 kB'],
    [1234, '1.23 kB'],
    [45_600_000, '45.6 MB'],
    [999_499, '999 kB'],
    [999_500, '1.00 MB'],
    [2_000_000_000, '2.00 GB'],
    [123_456_789_012, '123 GB']
  ])('%d bytes is %j', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text)
  })
})
