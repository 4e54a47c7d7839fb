/**
 * Kubernetes resource quantities as the Admin Console and the chart write the sandbox limits (`2048Mi`, `2Gi`,
 * `1000m`, `1.5`), turned into what `docker run --memory/--cpus` takes. Pure.
 *
 * Grammar (k8s.io/apimachinery resource.Quantity): a decimal number, then a binary suffix (Ki Mi Gi Ti Pi Ei), a
 * decimal one (n u m k M G T P E) or an exponent (e6). `m` is milli: `2048m` of memory is 2 bytes, a common slip for
 * `2048Mi`, so memory refuses the sub-unit suffixes.
 */

const QUANTITY = /^(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/

const FACTORS: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60
}

/** Docker refuses a memory limit below 6 MB. */
export const MIN_MEMORY_BYTES = 6 * 1024 * 1024
/** Docker's --cpus granularity. */
export const MIN_CPUS = 0.01

export type Parsed<T> = { value: T } | { error: string }

function quantityValue(text: string): { value: number; suffix: string } | undefined {
  const match = QUANTITY.exec(text.trim())
  if (!match) return undefined
  const suffix = match[2] ?? ''
  const factor = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : FACTORS[suffix]
  if (factor === undefined) return undefined
  return { value: Number(match[1]) * factor, suffix }
}

/** A memory quantity in bytes (rounded up, as Kubernetes rounds), or a one-line error quoting the value. */
export function parseMemoryQuantity(text: string, input: string): Parsed<number> {
  const parsed = quantityValue(text)
  const form = 'Expected a Kubernetes quantity such as 2048Mi, 2Gi or 4G'
  if (!parsed) return { error: `${input} '${text}' is not a memory size. ${form}.` }
  if (parsed.suffix === 'm' || parsed.suffix === 'u' || parsed.suffix === 'n') {
    return { error: `${input} '${text}' is a fraction of a byte in Kubernetes ('${parsed.suffix}' is milli/micro/nano). ${form} (Mi, not m).` }
  }
  const bytes = Math.ceil(parsed.value)
  if (bytes < MIN_MEMORY_BYTES) return { error: `${input} '${text}' is below the 6Mi a container needs. ${form}.` }
  return { value: bytes }
}

/** A CPU quantity in cores (`1000m` -> 1, `1.5` -> 1.5), or a one-line error quoting the value. */
export function parseCpuQuantity(text: string, input: string): Parsed<number> {
  const parsed = quantityValue(text)
  const form = 'Expected a Kubernetes CPU quantity such as 1000m, 500m, 2 or 1.5'
  if (!parsed || (parsed.suffix !== '' && parsed.suffix !== 'm' && !/^[eE]/.test(parsed.suffix))) {
    return { error: `${input} '${text}' is not a CPU amount. ${form}.` }
  }
  // Kubernetes keeps CPU to the millicore.
  const cores = Math.ceil(parsed.value * 1000 - 1e-9) / 1000
  if (cores < MIN_CPUS) return { error: `${input} '${text}' is below 10m, the least a container can be given. ${form}.` }
  return { value: cores }
}

/** `2147483648` -> `2Gi`, `1610612736` -> `1.5Gi`, `100000000` -> `95.4Mi`: how limits are shown. */
export function formatMemory(bytes: number): string {
  for (const [unit, factor] of [
    ['Gi', 2 ** 30],
    ['Mi', 2 ** 20],
    ['Ki', 2 ** 10]
  ] as const) {
    if (bytes >= factor) return `${Number((bytes / factor).toFixed(1))}${unit}`
  }
  return `${bytes}B`
}

/** `1` -> `1 CPU`, `0.5` -> `0.5 CPU`. */
export function formatCpus(cores: number): string {
  return `${Number(cores.toFixed(3))} CPU`
}
