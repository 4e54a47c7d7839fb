// age X25519 identities `AGE-SECRET-KEY-1` + 58 bech32 characters with a valid bech32 checksum.
// https://age-encryption.org/v1
import { prefixed } from './common.js'
import { ALNUM, TOKEN, type Family, type Rand } from './types.js'

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l'
const HRP = 'age-secret-key-'

function polymod(values: number[]): number {
  const gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
  let chk = 1
  for (const v of values) {
    const top = chk >>> 25
    chk = ((chk & 0x1ffffff) << 5) ^ v
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= gen[i]!
  }
  return chk >>> 0
}

const hrpExpand = (hrp: string): number[] => [...[...hrp].map(c => c.charCodeAt(0) >> 5), 0, ...[...hrp].map(c => c.charCodeAt(0) & 31)]

/** BIP 173 bech32 checksum of `AGE-SECRET-KEY-1…` (age encodes identities in upper case). */
export function validBech32(key: string): boolean {
  const data = [...key.slice(HRP.length + 1).toLowerCase()].map(c => BECH32.indexOf(c))
  return !data.includes(-1) && polymod([...hrpExpand(HRP), ...data]) === 1
}

/** A 32-byte identity encoded as age does: bech32 of the 5-bit groups, checksum appended, upper case. */
export function makeAgeKey(r: Rand): string {
  const bytes = Array.from({ length: 32 }, () => r.int(256))
  const data: number[] = []
  let acc = 0
  let bits = 0
  for (const b of bytes) {
    acc = (acc << 8) | b
    bits += 8
    while (bits >= 5) {
      bits -= 5
      data.push((acc >> bits) & 31)
    }
  }
  if (bits > 0) data.push((acc << (5 - bits)) & 31)
  const mod = polymod([...hrpExpand(HRP), ...data, 0, 0, 0, 0, 0, 0]) ^ 1
  const checksum = Array.from({ length: 6 }, (_, i) => (mod >>> (5 * (5 - i))) & 31)
  return `${HRP}1${[...data, ...checksum].map(d => BECH32[d]).join('')}`.toUpperCase()
}

export const age: Family = {
  name: 'age',
  source: 'https://age-encryption.org/v1',
  rules: [{ id: 'age-secret-key', description: 'age secret key (X25519 identity)' }],
  tokens: [
    prefixed({
      rule: 'age-secret-key',
      anchors: ['AGE-SECRET-KEY-1'],
      re: /AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}/y,
      maxLength: 74,
      lead: TOKEN,
      tail: ALNUM,
      validate: validBech32
    })
  ],
  cases: [
    {
      rule: 'age-secret-key',
      key: 'AGE_SECRET_KEY',
      make: makeAgeKey,
      negatives: ['AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ']
    }
  ]
}
