import type { DockerfileReport } from '../../../src/dockerfile/check.js'
import { GOOD, check as checkIn, type CheckOptions } from '../../dockerfile/support.js'

// These rows name the file as plain Dockerfile in their expected messages.
const check = (text: string, options: CheckOptions = {}): DockerfileReport => checkIn(text, { file: 'Dockerfile', ...options })
import { parseDockerfile } from '../../../src/dockerfile/parse.js'

/**
 * Inputs that expose quadratic algorithms or regex backtracking: 10,000 chained stages and 1 MB lines.
 * Results are asserted exactly; time is not (the suite's timeout is the only bound).
 */

const MB = 1024 * 1024

function stages(count: number): string {
  const lines = [`FROM ${GOOD} AS s0`, 'RUN echo 0']
  for (let i = 1; i < count; i++) lines.push(`FROM s${i - 1} AS s${i}`, `RUN echo ${i}`)
  return lines.join('\n') + '\n'
}

describe('large inputs', () => {
  it('follows a 10,000-stage chain back to its root', () => {
    const report = check(stages(10_000))
    expect(report.findings).toEqual([])
    expect(report.chain).toHaveLength(10_000)
    expect(report.finalStage).toEqual({ index: 9999, name: 's9999', line: 19_999, from: 's9998' })
    expect(report.chain[9999]).toEqual({ index: 0, name: 's0', line: 1, from: GOOD })
    expect(report.base).toEqual({ reference: GOOD, line: 1, version: '1.23.0' })
  })

  it('targets a stage in the middle of 10,000 and reports CMD only on its chain', () => {
    const text = stages(10_000).replace('RUN echo 4999\n', 'CMD ["x"]\n').replace('RUN echo 5001\n', 'CMD ["y"]\n')
    const report = check(text, { target: 'S5000' })
    expect(report.chain).toHaveLength(5001)
    expect(report.findings.map(({ check, line }) => ({ check, line }))).toEqual([{ check: 'runtime-contract', line: 10_000 }])
  })

  it('explains a root FROM among 10,000 stages that names a later stage', () => {
    const text = `FROM s9999 AS root\n${stages(10_000)}`
    const report = check(text, { target: 'root' })
    expect(report.findings.map(({ line, message }) => ({ line, message }))).toEqual([
      {
        line: 1,
        message: `The final stage is built on docker.io/library/s9999, not on the OHE base image ghcr.io/openhands/agent-server (stage 's9999' is defined later, at line 20000; FROM can only use earlier stages): in Dockerfile line 1, change FROM s9999 to ${GOOD}`
      }
    ])
  })

  it('reads a 1 MB RUN line', () => {
    const parsed = parseDockerfile(`FROM ${GOOD}\nRUN echo ${'a'.repeat(MB)}\nUSER root\n`)
    expect(parsed.instructions.map(({ keyword, line, args }) => [keyword, line, args.length])).toEqual([
      ['FROM', 1, GOOD.length],
      ['RUN', 2, MB + 5],
      ['USER', 3, 4]
    ])
  })

  it('reads a 1 MB comment that looks like a directive, with a long run of spaces', () => {
    const parsed = parseDockerfile(`# a=${' '.repeat(MB)}b\nFROM ${GOOD}\n`)
    expect(parsed.directives).toEqual({})
    expect(parsed.instructions.map(({ keyword, line }) => [keyword, line])).toEqual([['FROM', 2]])
  })

  it('reads a 1 MB line of spaces ending in a continuation', () => {
    const parsed = parseDockerfile(`FROM ${GOOD}\nRUN a${' '.repeat(MB)}\\${' '.repeat(MB)}\n  b\n`)
    expect(parsed.instructions[1]?.args).toBe(`a${' '.repeat(MB)}  b`)
    expect(parsed.instructions[1]?.endLine).toBe(3)
  })

  it('looks for heredocs in a 1 MB RUN line', () => {
    const parsed = parseDockerfile(`FROM ${GOOD}\nRUN echo "${'x'.repeat(MB)}" <<EOF\nFROM other\nEOF\n`)
    expect(parsed.instructions.map(({ keyword, heredocs }) => [keyword, heredocs])).toEqual([
      ['FROM', []],
      ['RUN', [{ delimiter: 'EOF', body: 'FROM other\n' }]]
    ])
  })

  it('checks a 1 MB FROM text from an ARG default and clips it in the message', () => {
    const report = check(`ARG BASE=${'a'.repeat(MB)}\nFROM $BASE\n`)
    expect(report.base?.reference).toHaveLength(MB)
    expect(report.findings).toHaveLength(1)
    expect(report.findings[0]?.message).toBe(
      `Base image ${'a'.repeat(200)}… is not a valid image reference: in Dockerfile line 1, change the default of ARG BASE from ${'a'.repeat(200)}… to ${GOOD}, so that FROM at line 2 gives ${GOOD}`
    )
    expect(report.findings[0]?.message.length).toBeLessThan(1000)
  })

  it('expands a 1 MB ARG default with a suffix pattern', () => {
    const report = check(`ARG V=${'9.'.repeat(MB / 2)}1.23.0\nFROM ghcr.io/openhands/agent-server:\${V##*9.}-python\n`)
    expect(report.findings).toEqual([])
  })
})
