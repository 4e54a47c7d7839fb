import { randomBytes } from 'node:crypto'
import { forgetSecrets, redact, rememberSecret } from '../src/redaction.js'

afterEach(() => forgetSecrets())

test('every remembered value is redacted, the longest first, and multi-line values also line by line', () => {
  const password = randomBytes(12).toString('hex')
  const keyLines = [`-----BEGIN KEY-----`, randomBytes(24).toString('base64'), randomBytes(24).toString('base64'), '}', '-----END KEY-----']
  rememberSecret(password)
  rememberSecret(keyLines.join('\n'))
  rememberSecret(`${password}-longer`)
  const text = `login ${password} and ${password}-longer; RUN printed ${keyLines[1]} then }`
  expect(redact(text)).toBe('login *** and ***; RUN printed *** then }')
})

test('nothing remembered: text unchanged; forgetSecrets forgets', () => {
  expect(redact('a b c')).toBe('a b c')
  const value = randomBytes(6).toString('hex')
  rememberSecret(value)
  expect(redact(value)).toBe('***')
  forgetSecrets()
  expect(redact(value)).toBe(value)
})

test('blank values are ignored; extra values can be given per call', () => {
  rememberSecret('   ')
  expect(redact('a   b')).toBe('a   b')
  expect(redact('x secret-1 y', ['secret-1'])).toBe('x *** y')
})
