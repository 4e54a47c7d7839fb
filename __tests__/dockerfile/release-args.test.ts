import { checkDockerfile, type DockerfileReport } from '../../src/dockerfile/check.js'
import { BASE, checkOptions, type CheckOptions } from './support.js'

const SHA = 'sha256:' + 'c'.repeat(64)

function check(text: string, options: CheckOptions = {}): DockerfileReport {
  return checkDockerfile(
    checkOptions(text, { file: '/work/repo/image/Dockerfile', shownAs: 'image/Dockerfile', release: '1.24.0', releaseArgs: true, ...options })
  )
}

interface Row {
  name: string
  text: string
  options?: CheckOptions
  /** name=value of the build-args added, in order. */
  added: string[]
  /** The checked base reference afterwards. */
  base: string
  /** The base-image finding's message afterwards, if any. */
  problem?: string
}

const rows: Row[] = [
  {
    name: 'ARG X.Y.Z in the tag gets the release',
    text: `ARG AGENT_SERVER_VERSION=1.23.0\nFROM ${BASE}:\${AGENT_SERVER_VERSION}-python\n`,
    added: ['AGENT_SERVER_VERSION=1.24.0'],
    base: `${BASE}:1.24.0-python`
  },
  {
    name: '$NAME without braces, quoted default',
    text: `ARG V="1.22.0"\nFROM ${BASE}:$V-python AS sandbox\n`,
    added: ['V=1.24.0'],
    base: `${BASE}:1.24.0-python`
  },
  {
    name: 'ARG X.Y.Z-<variant> gets <release>-<variant>',
    text: `ARG TAG=1.23.0-python\nFROM ${BASE}:\${TAG}\n`,
    added: ['TAG=1.24.0-python'],
    base: `${BASE}:1.24.0-python`
  },
  {
    name: 'the root of a multi-stage chain, through a registry ARG that is left alone',
    text: `ARG REGISTRY=ghcr.io/openhands\nARG V=1.23.0\nFROM \${REGISTRY}/agent-server:\${V}-python AS base\nFROM base\nRUN true\n`,
    added: ['V=1.24.0'],
    base: `${BASE}:1.24.0-python`
  },
  {
    name: 'a default built from another global ARG: the ARG FROM uses gets it',
    text: `ARG MAJOR_MINOR=1.23\nARG V=\${MAJOR_MINOR}.0\nFROM ${BASE}:\${V}-python\n`,
    added: ['V=1.24.0'],
    base: `${BASE}:1.24.0-python`
  },
  {
    name: 'the default already is the release: nothing to add',
    text: `ARG V=1.24.0\nFROM ${BASE}:\${V}-python\n`,
    added: [],
    base: `${BASE}:1.24.0-python`
  },
  {
    name: 'match minor: a default in the release line is kept (no downgrade to X.Y.0)',
    text: `ARG V=1.24.3\nFROM ${BASE}:\${V}-python\n`,
    options: { match: 'minor' },
    added: [],
    base: `${BASE}:1.24.3-python`
  },
  {
    name: 'match minor: a default of another line gets the release',
    text: `ARG V=1.23.3\nFROM ${BASE}:\${V}-python\n`,
    options: { match: 'minor' },
    added: ['V=1.24.0'],
    base: `${BASE}:1.24.0-python`
  },
  {
    name: 'a build-arg the user set is never overridden',
    text: `ARG V=1.23.0\nFROM ${BASE}:\${V}-python\n`,
    options: { buildArgs: { V: '1.22.0' } },
    added: [],
    base: `${BASE}:1.22.0-python`,
    problem: `Base image tag 1.22.0-python does not match agent-server 1.24.0: change the build-arg V from 1.22.0 to 1.24.0 (build-args input), so that FROM at line 2 gives ${BASE}:1.24.0-python`
  },
  {
    name: 'an ARG holding the whole image is left alone, and the finding says what to change',
    text: `ARG BASE_IMAGE=${BASE}:1.23.0-python\nFROM \${BASE_IMAGE}\n`,
    added: [],
    base: `${BASE}:1.23.0-python`,
    problem: `Base image tag 1.23.0-python does not match agent-server 1.24.0: in image/Dockerfile line 1, change the default of ARG BASE_IMAGE from ${BASE}:1.23.0-python to ${BASE}:1.24.0-python, so that FROM at line 2 gives ${BASE}:1.24.0-python`
  },
  {
    name: 'an ARG holding the variant is left alone; the version ARG next to it still follows the release',
    text: `ARG V=1.23.0\nARG VARIANT=python\nFROM ${BASE}:\${V}-\${VARIANT}\n`,
    added: ['V=1.24.0'],
    base: `${BASE}:1.24.0-python`
  },
  {
    name: 'another variant in the default is not this variant: left to the check',
    text: `ARG TAG=1.23.0-java\nFROM ${BASE}:\${TAG}\n`,
    added: [],
    base: `${BASE}:1.23.0-java`,
    problem: `Base image tag 1.23.0-java is the java variant, not python: in image/Dockerfile line 1, change the default of ARG TAG from 1.23.0-java to 1.24.0-python, so that FROM at line 2 gives ${BASE}:1.24.0-python`
  },
  {
    name: 'an X.Y alias default is not a version ARG',
    text: `ARG V=1.23\nFROM ${BASE}:\${V}-python\n`,
    added: [],
    base: `${BASE}:1.23-python`,
    problem: `Base image tag 1.23-python is a floating alias that moves with every 1.23.x release; pin agent-server 1.24.0: in image/Dockerfile line 1, change the default of ARG V from 1.23 to 1.24.0, so that FROM at line 2 gives ${BASE}:1.24.0-python`
  },
  {
    name: 'a literal tag gets nothing; the finding names the file, line and both references',
    text: `# syntax=docker/dockerfile:1\nFROM ${BASE}:1.23.0-python\n`,
    added: [],
    base: `${BASE}:1.23.0-python`,
    problem: `Base image tag 1.23.0-python does not match agent-server 1.24.0: in image/Dockerfile line 2, change FROM ${BASE}:1.23.0-python to ${BASE}:1.24.0-python`
  },
  {
    name: 'a digest pin: the tag is not replaced (the digest would still pull the old image)',
    text: `ARG V=1.23.0\nFROM ${BASE}:\${V}-python@${SHA}\n`,
    added: [],
    base: `${BASE}:1.23.0-python@${SHA}`,
    problem: `Base image tag 1.23.0-python does not match agent-server 1.24.0: in image/Dockerfile line 2, change FROM ${BASE}:1.23.0-python@${SHA} to ${BASE}:1.24.0-python (FROM ${BASE}:\${V}-python@${SHA} at line 2 uses V=1.23.0)`
  },
  {
    name: 'an X.Y.Z ARG of another image is not the base version',
    text: `ARG PY=3.12.1\nFROM python:\${PY}\n`,
    added: [],
    base: 'python:3.12.1',
    problem: `The final stage is built on docker.io/library/python:3.12.1, not on the OHE base image ${BASE}: in image/Dockerfile line 2, change FROM python:3.12.1 to ${BASE}:1.24.0-python (FROM python:\${PY} at line 2 uses PY=3.12.1)`
  },
  {
    name: 'a version ARG used by a builder stage only is not touched',
    text: `ARG V=1.23.0\nFROM golang:1.22 AS tools\nFROM ${BASE}:1.24.0-python\nCOPY --from=tools /a /b\n`,
    added: [],
    base: `${BASE}:1.24.0-python`
  },
  {
    name: 'the target decides which root FROM counts',
    text: `ARG V=1.23.0\nFROM ${BASE}:\${V}-python AS sandbox\nFROM ${BASE}:1.24.0-python AS other\n`,
    options: { target: 'sandbox' },
    added: ['V=1.24.0'],
    base: `${BASE}:1.24.0-python`
  },
  {
    name: 'an ARG declared without default is unresolved, not given the release silently',
    text: `ARG V\nFROM ${BASE}:\${V}-python\n`,
    added: [],
    base: `${BASE}:-python`,
    problem: `Base image tag is unresolved: FROM ${BASE}:\${V}-python gives ${BASE}:-python because ARG V (line 1) has no default and no build-arg was given: give ARG V a default (ARG V=1.24.0) or pass the build-arg V=1.24.0, so that FROM gives ${BASE}:1.24.0-python`
  }
]

describe('release build-args for an ARG-based base tag', () => {
  it.each(rows)('$name', ({ text, options, added, base, problem }) => {
    const report = check(text, options)
    expect(report.releaseBuildArgs.map(arg => `${arg.name}=${arg.value}`)).toEqual(added)
    expect(report.base?.reference).toBe(base)
    const found = report.findings.filter(finding => finding.check === 'base-image').map(finding => finding.message)
    expect(found).toEqual(problem === undefined ? [] : [problem])
  })

  it('records the default and the line each build-arg replaces', () => {
    const report = check(`# versions\nARG V=1.23.0\nFROM ${BASE}:\${V}-python\n`)
    expect(report.releaseBuildArgs).toEqual([{ name: 'V', value: '1.24.0', replaces: '1.23.0', line: 2 }])
    expect(report.baseTagArgs).toEqual(['V'])
    expect(report.base).toEqual({ reference: `${BASE}:1.24.0-python`, line: 3, version: '1.24.0' })
  })

  it('without releaseArgs the default is checked as written', () => {
    const report = check(`ARG V=1.23.0\nFROM ${BASE}:\${V}-python\n`, { releaseArgs: false })
    expect(report.releaseBuildArgs).toEqual([])
    expect(report.findings.map(finding => finding.message)).toEqual([
      `Base image tag 1.23.0-python does not match agent-server 1.24.0: in image/Dockerfile line 1, change the default of ARG V from 1.23.0 to 1.24.0, so that FROM at line 2 gives ${BASE}:1.24.0-python`
    ])
  })
})

describe('a root FROM on another image (a layered image candidate)', () => {
  const custom = `FROM ghcr.io/acme/openhands-sandbox:1.23.0-a1b2c3d\nRUN true\n`
  const problem = `The final stage is built on ghcr.io/acme/openhands-sandbox:1.23.0-a1b2c3d, not on the OHE base image ${BASE}: in image/Dockerfile line 1, change FROM ghcr.io/acme/openhands-sandbox:1.23.0-a1b2c3d to ${BASE}:1.24.0-python`

  it('without layered: a base-image error, and the image is reported', () => {
    const report = check(custom)
    expect(report.findings.map(({ check, line, message }) => ({ check, line, message }))).toEqual([{ check: 'base-image', line: 1, message: problem }])
    expect(report.otherImage).toEqual({
      image: { registry: 'ghcr.io', repository: 'acme/openhands-sandbox', tag: '1.23.0-a1b2c3d' },
      change: `in image/Dockerfile line 1, change FROM ghcr.io/acme/openhands-sandbox:1.23.0-a1b2c3d to ${BASE}:1.24.0-python`,
      line: 1,
      problem
    })
  })

  it('with layered: no base-image finding; the caller checks the image', () => {
    const report = check(custom, { layered: true })
    expect(report.findings).toEqual([])
    expect(report.otherImage?.image).toEqual({ registry: 'ghcr.io', repository: 'acme/openhands-sandbox', tag: '1.23.0-a1b2c3d' })
  })

  it.each([
    ['scratch', 'FROM scratch\n'],
    ['a stage typo', `FROM ${BASE}:1.24.0-python AS builder\nFROM buidler\n`],
    ['a stage defined later', `FROM builder AS app\nFROM ${BASE}:1.24.0-python AS builder\n`],
    ['an invalid reference', 'FROM Builder\n'],
    ['an unset ARG', 'ARG TAG\nFROM ubuntu:${TAG}\n']
  ])('%s is not a layered image candidate: the error stays', (_name, text) => {
    const report = check(text, { layered: true, target: text.includes('AS app') ? 'app' : '' })
    expect(report.otherImage).toBeUndefined()
    expect(report.findings.map(finding => finding.check)).toEqual(['base-image'])
  })
})
