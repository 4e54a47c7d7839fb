import { formatMemory, parseCpuQuantity, parseMemoryQuantity } from '../../src/verify/quantity.js'

describe('sandbox-memory: Kubernetes memory quantities', () => {
  it.each([
    ['2048Mi', 2048 * 2 ** 20],
    ['2Gi', 2 * 2 ** 30],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['4G', 4e9],
    ['512M', 512e6],
    ['100000000', 100_000_000],
    ['129e6', 129e6],
    [' 2Gi ', 2 * 2 ** 30],
    ['6291456', 6291456],
    ['.5Gi', 2 ** 29]
  ])('%s -> %d bytes', (text, bytes) => {
    expect(parseMemoryQuantity(text, 'sandbox-memory')).toEqual({ value: bytes })
  })

  it.each([
    [
      '2048m',
      "sandbox-memory '2048m' is a fraction of a byte in Kubernetes ('m' is milli/micro/nano). Expected a Kubernetes quantity such as 2048Mi, 2Gi or 4G (Mi, not m)."
    ],
    ['2 GB', "sandbox-memory '2 GB' is not a memory size. Expected a Kubernetes quantity such as 2048Mi, 2Gi or 4G."],
    ['2GiB', "sandbox-memory '2GiB' is not a memory size. Expected a Kubernetes quantity such as 2048Mi, 2Gi or 4G."],
    ['-1Gi', "sandbox-memory '-1Gi' is not a memory size. Expected a Kubernetes quantity such as 2048Mi, 2Gi or 4G."],
    ['4Mi', "sandbox-memory '4Mi' is below the 6Mi a container needs. Expected a Kubernetes quantity such as 2048Mi, 2Gi or 4G."],
    ['', "sandbox-memory '' is not a memory size. Expected a Kubernetes quantity such as 2048Mi, 2Gi or 4G."]
  ])('%j is refused', (text, error) => {
    expect(parseMemoryQuantity(text, 'sandbox-memory')).toEqual({ error })
  })
})

describe('sandbox-cpus: Kubernetes CPU quantities', () => {
  it.each([
    ['1000m', 1],
    ['500m', 0.5],
    ['1.5', 1.5],
    ['2', 2],
    ['10m', 0.01],
    ['1500m', 1.5],
    ['0.0125', 0.013]
  ])('%s -> %d cores', (text, cores) => {
    expect(parseCpuQuantity(text, 'sandbox-cpus')).toEqual({ value: cores })
  })

  it.each([
    ['1Gi', "sandbox-cpus '1Gi' is not a CPU amount. Expected a Kubernetes CPU quantity such as 1000m, 500m, 2 or 1.5."],
    ['two', "sandbox-cpus 'two' is not a CPU amount. Expected a Kubernetes CPU quantity such as 1000m, 500m, 2 or 1.5."],
    ['5m', "sandbox-cpus '5m' is below 10m, the least a container can be given. Expected a Kubernetes CPU quantity such as 1000m, 500m, 2 or 1.5."],
    ['0', "sandbox-cpus '0' is below 10m, the least a container can be given. Expected a Kubernetes CPU quantity such as 1000m, 500m, 2 or 1.5."]
  ])('%j is refused', (text, error) => {
    expect(parseCpuQuantity(text, 'sandbox-cpus')).toEqual({ error })
  })
})

describe('formatMemory', () => {
  it.each([
    [2 * 2 ** 30, '2Gi'],
    [1.5 * 2 ** 30, '1.5Gi'],
    [100_000_000, '95.4Mi'],
    [40_648_704, '38.8Mi'],
    [512, '512B']
  ])('%d -> %s', (bytes, shown) => {
    expect(formatMemory(bytes)).toBe(shown)
  })
})
