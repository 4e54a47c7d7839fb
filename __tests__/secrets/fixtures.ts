// Secrets for the tests, generated at run time: no realistic secret literal is ever committed (push protection,
// and our own scanner would flag this repository). Formats with a checksum get a valid one.
import { generateKeyPairSync } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { base62, crc32 } from '../../src/secrets/checksum.js'
import { seededStream } from '../support/seeded.js'

// Every random value here comes from the run's seed (TEST_SEED), so a failing run replays with the same values.
const draw = seededStream('secrets/fixtures')

export const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
export const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
export const HEX = '0123456789abcdef'
export const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
export const BASE64 = `${ALNUM}+/`
export const TOKEN = `${ALNUM}_-`

export function random(n: number, alphabet = ALNUM): string {
  return Array.from(draw(n), b => alphabet[b % alphabet.length]).join('')
}

/**
 * A random alphanumeric secret of n characters that holds a digit, an upper- and a lower-case letter: a plain
 * random(n) has none of the digits about once in 30 draws at n = 20, and a value without them is rightly not
 * reported as a generated secret.
 */
export function randomSecret(n: number): string {
  return `${random(1, '0123456789')}${random(1, LETTERS.slice(0, 26))}${random(1, LETTERS.slice(26))}${random(n - 3)}`
}

/** A whole number in [0, n), from the run's seed. */
export function randomBelow(n: number): number {
  return draw(4).readUInt32BE(0) % n
}

/** `<prefix>` + 30 random base62 + base62 CRC-32 of those 30: GitHub's and npm's format. */
export function checksummed(prefix: string): string {
  const body = random(30)
  return `${prefix}${body}${base62(crc32(body), 6)}`
}

/** Same shape, checksum wrong: what documentation and typos look like. */
export function badChecksum(prefix: string): string {
  const token = checksummed(prefix)
  const last = token.at(-1) === 'A' ? 'B' : 'A'
  return token.slice(0, -1) + last
}

export function pemKey(type: 'rsa' | 'ec' = 'rsa'): string {
  const pair = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return String(pair.privateKey.export({ type: 'pkcs8', format: 'pem' }))
}

export function publicPem(): string {
  return String(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }))
}

/** A version-4 UUID from the run's seed. */
export function uuid(): string {
  const b = draw(16)
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80
  const hex = b.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export class TempTree {
  readonly root: string
  constructor(prefix = 'secrets-test-') {
    this.root = mkdtempSync(join(tmpdir(), prefix))
  }
  path(rel: string): string {
    return join(this.root, rel)
  }
  write(rel: string, content: string | Buffer): string {
    const p = this.path(rel)
    mkdirSync(dirname(p), { recursive: true })
    writeFileSync(p, content)
    return p
  }
  remove(): void {
    rmSync(this.root, { recursive: true, force: true })
  }
}

/** Lines of filler, so that a secret on line `n` is not trivially on line 1. */
export function onLine(n: number, line: string, after = ''): string {
  return `${Array.from({ length: n - 1 }, (_, i) => `# filler ${i + 1}`).join('\n')}${n > 1 ? '\n' : ''}${line}\n${after}`
}
