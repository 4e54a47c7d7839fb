import { createHash, pbkdf2Sync } from 'node:crypto'
import { fingerprintOf, looksRandomSecret } from '../../src/secrets/values.js'
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
