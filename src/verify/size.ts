import { UserError } from '../errors.js'

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  ki: 1024,
  kib: 1024,
  mi: 1024 ** 2,
  mib: 1024 ** 2,
  gi: 1024 ** 3,
  gib: 1024 ** 3,
  ti: 1024 ** 4,
  tib: 1024 ** 4
}

/**
 * A size as people write it: `2GB`, `1.5 GiB`, `500MB`, `750m`, `1048576`. Decimal units (kB, MB, GB) are powers of
 * 1000, binary ones (KiB, MiB, GiB) powers of 1024, as registries and `docker images` show them. Throws a UserError
 * naming the input for anything else.
 */
export function parseSize(text: string, input = 'max-added-size'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(text)
  const factor = match ? UNITS[(match[2] ?? '').toLowerCase()] : undefined
  if (!match || factor === undefined) {
    throw new UserError(`${input} '${text}' is not a size. Expected a number with an optional unit, e.g. 2GB, 500MB or 1.5GiB.`)
  }
  const bytes = Math.round(Number(match[1]) * factor)
  if (bytes <= 0) throw new UserError(`${input} '${text}' must be more than zero, e.g. 2GB.`)
  return bytes
}

/** Decimal units with three significant digits: 0 B, 999 B, 1.23 kB, 45.6 MB, 2.00 GB. */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`
  const units = ['kB', 'MB', 'GB', 'TB']
  let value = bytes / 1000
  let unit = 0
  while (value >= 999.5 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  const digits = value >= 99.95 ? 0 : value >= 9.995 ? 1 : 2
  return `${value.toFixed(digits)} ${units[unit]}`
}
