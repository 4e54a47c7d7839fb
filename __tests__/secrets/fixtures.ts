// Secrets for the tests, generated at run time: no realistic secret literal is ever committed (push protection,
// and our own scanner would flag this repository). Formats with a checksum get a valid one.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { base62, crc32 } from '../../src/secrets/checksum.js'

export const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
export const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
export const HEX = '0123456789abcdef'
export const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
export const BASE64 = `${ALNUM}+/`
export const TOKEN = `${ALNUM}_-`

export function random(n: number, alphabet = ALNUM): string {
  return Array.from(randomBytes(n), (b) => alphabet[b % alphabet.length]).join('')
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

export function uuid(): string {
  return randomUUID()
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
