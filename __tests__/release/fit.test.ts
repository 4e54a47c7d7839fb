import { describeRange, rangeInMap, sharedRange } from '../../src/release/fit.js'
import { splitAgentServerTag } from '../../src/release/target-inputs.js'

/** Release i ships versions[i]; the probe counts its calls, so the bound on requests is checked too. */
function probeOf(versions: ReadonlyArray<string | undefined>) {
  const probed: number[] = []
  return {
    probed,
    probe: async (index: number) => {
      probed.push(index)
      return versions[index]
    }
  }
}

describe('sharedRange', () => {
  const releases = ['0.7.29', '0.7.30', '0.11.0', '0.16.1', '0.16.2', '0.20.0', '0.23.1', '0.30.0', '0.33.0', '0.34.0', '0.45.0', '0.50.0']
  const versions = [undefined, '1.0.0', '1.0.0', '1.35.0', '1.36.0', '1.36.0', '1.36.0', '1.36.0', '1.36.0', '1.38.0', '1.41.0', '1.41.0']

  it.each([
    [6, '1.36.0', { agentServer: '1.36.0', first: '0.16.2', last: '0.33.0', count: 5 }],
    [4, '1.36.0', { agentServer: '1.36.0', first: '0.16.2', last: '0.33.0', count: 5 }],
    [10, '1.41.0', { agentServer: '1.41.0', first: '0.45.0', last: '0.50.0', count: 2 }],
    [9, '1.38.0', { agentServer: '1.38.0', first: '0.34.0', last: '0.34.0', count: 1 }],
    [1, '1.0.0', { agentServer: '1.0.0', first: '0.7.30', last: '0.11.0', count: 2 }]
  ])('around index %i (%s)', async (at, agentServer, expected) => {
    const { probe, probed } = probeOf(versions)
    await expect(sharedRange(releases, at, agentServer, probe)).resolves.toEqual(expected)
    // Never the release it started from, never one twice, at most 2·⌈log2 n⌉.
    expect(probed).not.toContain(at)
    expect(new Set(probed).size).toBe(probed.length)
    expect(probed.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(releases.length)))
  })

  it('197 releases sharing in runs of 20: 16 probes at most, not 197', async () => {
    const many = Array.from({ length: 197 }, (_, i) => `0.${i}.0`)
    const shipped = many.map((_, i) => `1.${Math.floor(i / 20)}.0`)
    const { probe, probed } = probeOf(shipped)
    await expect(sharedRange(many, 150, '1.7.0', probe)).resolves.toEqual({ agentServer: '1.7.0', first: '0.140.0', last: '0.159.0', count: 20 })
    expect(probed.length).toBeLessThanOrEqual(16)
  })
})

describe('rangeInMap', () => {
  const map = new Map([
    ['0.16.2', '1.36.0-python'],
    ['0.33.0', '1.36.0-python'],
    ['0.23.1', '1.36.0'],
    ['0.45.0', '1.41.0-python']
  ])
  const versionOf = (tag: string) => splitAgentServerTag(tag)?.version
  it.each([
    ['1.36.0', { agentServer: '1.36.0', first: '0.16.2', last: '0.33.0', count: 3 }],
    ['1.41.0', { agentServer: '1.41.0', first: '0.45.0', last: '0.45.0', count: 1 }],
    ['1.40.0', undefined]
  ])('%s', (version, expected) => {
    expect(rangeInMap(map, version, versionOf)).toEqual(expected)
  })
})

describe('describeRange', () => {
  it.each([
    [{ agentServer: '1.36.0', first: '0.16.2', last: '0.33.0', count: 5 }, 'agent-server 1.36.0: OHE 0.16.2 to 0.33.0'],
    [{ agentServer: '1.38.0', first: '0.34.0', last: '0.34.0', count: 1 }, 'agent-server 1.38.0: OHE 0.34.0']
  ])('%j', (range, text) => {
    expect(describeRange(range)).toBe(text)
  })
})
