import { createHash, pbkdf2Sync } from 'node:crypto'
import { fingerprintOf, hexEntropyFloor, isPlaceholder, isRandomHex, looksRandomSecret } from '../../src/secrets/values.js'
import { HEX, random } from './fixtures.js'

describe('looksRandomSecret', () => {
  it.each([
    ['a 32-character random token', () => random(32), true],
    ['a 64-character random hex key', () => random(64, HEX), true],
    ['a 16-character hex id or fingerprint', () => random(16, HEX), false],
    ['a 31-character hex id', () => random(31, HEX), false],
    ['a placeholder', () => 'your-api-key-here', false],
    ['a UUID', () => '123e4567-e89b-12d3-a456-426614174000', false],
    ['a git SHA', () => 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', false]
  ])('%s', (_name, make, expected) => {
    // Many random draws: a non-secret must never pass (precision first); a real key may be missed rarely, when a
    // draw happens to look regular (about 1 in 1000 for hex, whose character class changes less often).
    let found = 0
    for (let i = 0; i < 200; i++) if (looksRandomSecret(make())) found++
    if (expected) expect(found).toBeGreaterThanOrEqual(196)
    else expect(found).toBe(0)
  })
})

describe('isPlaceholder', () => {
  // Stand-ins count; the same letters met by chance inside a random token do not (miss-rate.test measures the rates).
  it.each([
    ['one character repeated', () => 'xxxxxxxx', true],
    ['four x in a short value', () => 'sk-xxxx', true],
    ['four x in a long token', () => `${random(30)}0xxxx0${random(30)}`, false],
    ['a short word of its own', () => 'your-token-here', true],
    ['a short word alone', () => 'none', true],
    ['a short word inside a token', () => `${random(18)}1NonE1${random(18)}`, false],
    ['xxx inside a token', () => `${random(18)}1xXx1${random(18)}`, false],
    ['a long word in any case in a value', () => 'PassWordMustBeLong', true],
    ['six of one in a short value', () => 'abc000000', true],
    ['six of one in a long hex token', () => `${random(28, HEX)}a999999b${random(28, HEX)}`, false],
    ['eight of one in a long hex token', () => `${random(28, HEX)}a99999999b${random(26, HEX)}`, true]
  ])('%s', (_name, make, expected) => {
    expect(isPlaceholder(make())).toBe(expected)
  })
})

describe('isPlaceholder of a token body (strict)', () => {
  it.each([
    ['a long word as words are written', () => `${random(20)}Dummy${random(20)}`, true],
    ['a long word in capitals', () => `DUMMY_${random(20)}`, true],
    ['a long word in random case', () => `${random(20)}DuMMy${random(20)}`, false],
    ['a word only loose values stand in with', () => `${random(20)}token${random(20)}`, false]
  ])('%s', (_name, make, expected) => {
    expect(isPlaceholder(make(), true)).toBe(expected)
  })
})

describe('hex entropy floor', () => {
  it.each([
    [20, 1.8],
    [32, 2.625],
    [64, 3.3125]
  ])('%i digits: %f bits', (length, floor) => {
    expect(hexEntropyFloor(length)).toBeCloseTo(floor, 10)
  })

  it('keeps out a repeated word and lets a random key in', () => {
    expect(isRandomHex('deadbeef'.repeat(4))).toBe(false)
    expect(isRandomHex(`${random(4, HEX)}${'0'.repeat(28)}`)).toBe(false)
    for (let i = 0; i < 200; i++) expect(isRandomHex(random(32, HEX))).toBe(true)
  })
})

describe('fingerprintOf', () => {
  it('is stable, changes with the file, rule or value, and is a slow hash, not a fast one of the value', () => {
    const value = random(24)
    const fingerprint = fingerprintOf('app/.env', 'dotenv-secret', value)
    expect(fingerprint).toMatch(/^app\/\.env:dotenv-secret:[0-9a-f]{16}$/)
    expect(fingerprintOf('app/.env', 'dotenv-secret', value)).toBe(fingerprint)
    expect(fingerprintOf('other/.env', 'dotenv-secret', value)).toBe(fingerprint.replace('app/', 'other/'))
    expect(fingerprintOf('app/.env', 'generic-secret', value).endsWith(fingerprint.slice(-16))).toBe(false)
    expect(fingerprintOf('app/.env', 'dotenv-secret', `${value}x`)).not.toBe(fingerprint)
    const expected = pbkdf2Sync(value, 'sandbox-scan\0dotenv-secret', 10_000, 8, 'sha256').toString('hex')
    expect(fingerprint.slice(-16)).toBe(expected)
    expect(createHash('sha256').update(`sandbox-scan\0dotenv-secret\0${value}`).digest('hex').slice(0, 16)).not.toBe(expected)
  })
})
