// GitHub's and npm's token checksum: `<prefix>_` + 30 random base62 characters + 6 characters that are the
// base62 (0-9A-Za-z) CRC-32 of those 30 characters, left-padded with '0'. A token whose checksum fails is a
// placeholder or a typo, not a live credential.

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

export function crc32(text: string): number {
  let crc = 0xffffffff
  for (let i = 0; i < text.length; i++) crc = (CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] ?? 0) ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

export function base62(n: number, width: number): string {
  let out = ''
  let rest = n
  while (rest > 0) {
    out = BASE62[rest % 62] + out
    rest = Math.floor(rest / 62)
  }
  return out.padStart(width, '0')
}

/** True when the last 6 characters of `token` (`<prefix>_<30><6>`) are the base62 CRC-32 of the 30 before them. */
export function hasValidBase62Checksum(token: string): boolean {
  const underscore = token.lastIndexOf('_')
  const body = token.slice(underscore + 1)
  if (body.length !== 36) return false
  return base62(crc32(body.slice(0, 30)), 6) === body.slice(30)
}
