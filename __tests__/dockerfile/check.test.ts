import type { DockerfileReport } from '../../src/dockerfile/check.js'
import { BASE, GOOD, check, type CheckOptions } from './support.js'

const SHA = 'sha256:' + 'b'.repeat(64)

/** An expected finding: `message` is the exact message, or substrings it must hold. */
interface Expected {
  check: 'base-image' | 'runtime-contract' | 'user'
  severity: 'error' | 'warning'
  line: number
  message: string | string[]
}

interface Row {
  name: string
  text: string
  options?: CheckOptions
  findings: Expected[]
}

function expectFindings(report: DockerfileReport, expected: Expected[]): void {
  expect(report.findings.map(({ check, severity, line, file }) => ({ check, severity, line, file }))).toEqual(
    expected.map(({ check, severity, line }) => ({ check, severity, line, file: 'sandbox/Dockerfile' }))
  )
  expected.forEach((want, i) => {
    const message = report.findings[i]?.message
    if (typeof want.message === 'string') expect(message).toBe(want.message)
    else for (const part of want.message) expect(message).toContain(part)
  })
}

const baseError = (line: number, message: string | string[]): Expected => ({ check: 'base-image', severity: 'error', line, message })
/** The fix in a base-image finding: the file and line to edit, from what to what. */
const change = (from: string, line = 1): string => `in sandbox/Dockerfile line ${line}, change FROM ${from} to ${GOOD}`

const baseRows: Row[] = [
  { name: 'the exact release tag passes', text: `FROM ${GOOD}\nRUN true\n`, findings: [] },
  { name: 'a registry in upper case is the same repository', text: `FROM GHCR.IO/openhands/agent-server:1.23.0-python\n`, findings: [] },
  { name: 'a tag pinned with a digest passes', text: `FROM ${GOOD}@${SHA}\n`, findings: [] },
  {
    name: 'a different version',
    text: `FROM ${BASE}:1.22.0-python\n`,
    findings: [
      baseError(
        1,
        'Base image tag 1.22.0-python does not match agent-server 1.23.0: in sandbox/Dockerfile line 1, change FROM ghcr.io/openhands/agent-server:1.22.0-python to ghcr.io/openhands/agent-server:1.23.0-python'
      )
    ]
  },
  { name: 'match minor accepts another patch of the same minor', text: `FROM ${BASE}:1.23.4-python\n`, options: { match: 'minor' }, findings: [] },
  { name: 'match minor accepts the X.Y alias of the same minor', text: `FROM ${BASE}:1.23-python\n`, options: { match: 'minor' }, findings: [] },
  {
    name: 'match minor refuses another minor',
    text: `FROM ${BASE}:1.22.9-python\n`,
    options: { match: 'minor' },
    findings: [baseError(1, `Base image tag 1.22.9-python is not in the 1.23 line of agent-server 1.23.0 (match: minor): ${change(`${BASE}:1.22.9-python`)}`)]
  },
  {
    name: 'match minor refuses the X.Y alias of another minor',
    text: `FROM ${BASE}:1.22-python\n`,
    options: { match: 'minor' },
    findings: [baseError(1, `Base image tag 1.22-python is not in the 1.23 line of agent-server 1.23.0 (match: minor): ${change(`${BASE}:1.22-python`)}`)]
  },
  {
    name: 'the X.Y alias floats: an error under exact',
    text: `FROM ${BASE}:1.23-python\n`,
    findings: [
      baseError(
        1,
        `Base image tag 1.23-python is a floating alias that moves with every 1.23.x release; pin agent-server 1.23.0: ${change(`${BASE}:1.23-python`)}`
      )
    ]
  },
  {
    name: 'the X alias floats across minors, also under minor',
    text: `FROM ${BASE}:1-python\n`,
    options: { match: 'minor' },
    findings: [
      baseError(1, `Base image tag 1-python is a floating alias that moves with every 1.x release; pin agent-server 1.23.0: ${change(`${BASE}:1-python`)}`)
    ]
  },
  {
    name: 'latest-python follows main',
    text: `FROM ${BASE}:latest-python\n`,
    findings: [baseError(1, `Base image tag latest-python follows the main branch, not agent-server 1.23.0: ${change(`${BASE}:latest-python`)}`)]
  },
  {
    name: 'bare latest is not published',
    text: `FROM ${BASE}:latest\n`,
    findings: [
      baseError(
        1,
        `Base image tag latest is not published for agent-server (only latest-<variant>) and would not pin agent-server 1.23.0: ${change(`${BASE}:latest`)}`
      )
    ]
  },
  {
    name: 'no tag at all',
    text: `FROM ${BASE}\n`,
    findings: [
      baseError(
        1,
        `Base image ${BASE} has no tag, so Docker would pull :latest, which agent-server does not publish and which would not pin agent-server 1.23.0: ${change(BASE)}`
      )
    ]
  },
  {
    name: 'a digest without a tag cannot be checked',
    text: `FROM ${BASE}@${SHA}\n`,
    findings: [
      baseError(
        1,
        `Base image ${BASE}@${SHA} is pinned by digest only, so its version cannot be checked against agent-server 1.23.0: ${change(`${BASE}@${SHA}`)} (add @<digest of that tag> to keep a digest pin)`
      )
    ]
  },
  {
    name: 'another variant',
    text: `FROM ${BASE}:1.23.0-java\n`,
    findings: [baseError(1, `Base image tag 1.23.0-java is the java variant, not python: ${change(`${BASE}:1.23.0-java`)}`)]
  },
  {
    name: 'a tag without a variant',
    text: `FROM ${BASE}:1.23.0\n`,
    findings: [baseError(1, `Base image tag 1.23.0 is not a python tag (agent-server tags end in -<variant>, here -python): ${change(`${BASE}:1.23.0`)}`)]
  },
  {
    name: 'a pre-release',
    text: `FROM ${BASE}:1.24.0-rc.1-python\n`,
    findings: [baseError(1, `Base image tag 1.24.0-rc.1-python is a pre-release, not agent-server 1.23.0: ${change(`${BASE}:1.24.0-rc.1-python`)}`)]
  },
  {
    name: 'a commit build',
    text: `FROM ${BASE}:a1b2c3d-python\n`,
    findings: [baseError(1, `Base image tag a1b2c3d-python is a build of commit a1b2c3d, not agent-server 1.23.0: ${change(`${BASE}:a1b2c3d-python`)}`)]
  },
  {
    name: 'a branch build',
    text: `FROM ${BASE}:feature-x-python\n`,
    findings: [baseError(1, `Base image tag feature-x-python is a build of branch feature-x, not agent-server 1.23.0: ${change(`${BASE}:feature-x-python`)}`)]
  },
  {
    name: 'a v prefix',
    text: `FROM ${BASE}:v1.23.0-python\n`,
    findings: [baseError(1, `Base image tag v1.23.0-python has a v prefix, which agent-server tags never have: ${change(`${BASE}:v1.23.0-python`)}`)]
  },
  {
    name: 'a final stage built on another image says what it is built on',
    text: 'FROM ubuntu:22.04\nRUN true\n',
    findings: [baseError(1, `The final stage is built on docker.io/library/ubuntu:22.04, not on the OHE base image ${BASE}: ${change('ubuntu:22.04')}`)]
  },
  {
    name: 'a final stage built on scratch',
    text: 'FROM scratch\n',
    findings: [baseError(1, `The final stage is built on scratch (an empty image), not on the OHE base image ${BASE}: ${change('scratch')}`)]
  },
  {
    name: 'FROM naming a later stage is an image, and the finding says why',
    text: `FROM builder AS app\nFROM ${GOOD} AS builder\n`,
    options: { target: 'app' },
    findings: [
      baseError(
        1,
        `The final stage is built on docker.io/library/builder, not on the OHE base image ${BASE} (stage 'builder' is defined later, at line 2; FROM can only use earlier stages): ${change('builder')}`
      )
    ]
  },
  {
    name: 'FROM with a typo of a stage name',
    text: `FROM ${GOOD} AS builder\nFROM buidler\n`,
    findings: [
      baseError(2, ['built on docker.io/library/buidler', "(buidler is not a stage name; did you mean stage 'builder' at line 1?)", change('buidler', 2)])
    ]
  },
  {
    name: 'FROM naming a stage in another case is an (invalid) image name in BuildKit',
    text: `FROM ${GOOD} AS builder\nFROM Builder\n`,
    findings: [
      baseError(
        2,
        `Base image Builder is not a valid image reference (FROM Builder is read as an image name: BuildKit matches stage names in FROM only in lower case; write FROM builder to use stage 'builder' at line 1): ${change('Builder', 2)}`
      )
    ]
  },
  {
    name: 'a private mirror given as base-image, compared after normalising docker.io and library/',
    text: 'FROM agent-server:1.23.0-python\n',
    options: { baseImage: 'index.docker.io/library/agent-server' },
    findings: []
  }
]

const argRows: Row[] = [
  { name: 'a global ARG default in the tag', text: `ARG VERSION=1.23.0\nFROM ${BASE}:\${VERSION}-python\n`, findings: [] },
  {
    name: 'a build-arg overrides the ARG default',
    text: `ARG VERSION=1.22.0\nFROM ${BASE}:\${VERSION}-python\n`,
    options: { buildArgs: { VERSION: '1.23.0' } },
    findings: []
  },
  {
    name: 'an ARG default that does not match names the ARG and its value',
    text: `ARG VERSION=1.22.0\nFROM ${BASE}:$VERSION-python\n`,
    findings: [
      baseError(
        2,
        `Base image tag 1.22.0-python does not match agent-server 1.23.0: in sandbox/Dockerfile line 1, change the default of ARG VERSION from 1.22.0 to 1.23.0, so that FROM at line 2 gives ${GOOD}`
      )
    ]
  },
  {
    name: 'a build-arg that does not match names the build-arg to change',
    text: `ARG VERSION=1.23.0\nFROM ${BASE}:\${VERSION}-python\n`,
    options: { buildArgs: { VERSION: '1.22.0' } },
    findings: [
      baseError(
        2,
        `Base image tag 1.22.0-python does not match agent-server 1.23.0: change the build-arg VERSION from 1.22.0 to 1.23.0 (build-args input), so that FROM at line 2 gives ${GOOD}`
      )
    ]
  },
  {
    name: 'an ARG holding the whole image: its default is what to change',
    text: `ARG BASE_IMAGE=${BASE}:1.22.0-python\nFROM $BASE_IMAGE\n`,
    findings: [
      baseError(
        2,
        `Base image tag 1.22.0-python does not match agent-server 1.23.0: in sandbox/Dockerfile line 1, change the default of ARG BASE_IMAGE from ${BASE}:1.22.0-python to ${GOOD}, so that FROM at line 2 gives ${GOOD}`
      )
    ]
  },
  {
    name: 'an ARG holding the variant: its default is what to change',
    text: `ARG VERSION=1.23.0\nARG VARIANT=java\nFROM ${BASE}:\${VERSION}-\${VARIANT}\n`,
    findings: [
      baseError(
        3,
        `Base image tag 1.23.0-java is the java variant, not python: in sandbox/Dockerfile line 2, change the default of ARG VARIANT from java to python, so that FROM at line 3 gives ${GOOD}`
      )
    ]
  },
  {
    name: 'when no single ARG fixes the tag, the FROM line and the ARG values',
    text: `ARG VERSION=1.22.0\nARG VARIANT=java\nFROM ${BASE}:\${VERSION}-\${VARIANT}\n`,
    findings: [
      baseError(
        3,
        `Base image tag 1.22.0-java is the java variant, not python: ${change(`${BASE}:1.22.0-java`, 3)} (FROM ${BASE}:\${VERSION}-\${VARIANT} at line 3 uses VERSION=1.22.0, VARIANT=java)`
      )
    ]
  },
  {
    name: 'with a digest the ARG in the tag is not the fix: the digest decides what is pulled',
    text: `ARG VERSION=1.22.0\nFROM ${BASE}:\${VERSION}-python@${SHA}\n`,
    findings: [
      baseError(
        2,
        `Base image tag 1.22.0-python does not match agent-server 1.23.0: ${change(`${BASE}:1.22.0-python@${SHA}`, 2)} (FROM ${BASE}:\${VERSION}-python@${SHA} at line 2 uses VERSION=1.22.0)`
      )
    ]
  },
  {
    name: 'an ARG without default or build-arg leaves the tag unresolved',
    text: `ARG VERSION\nFROM ${BASE}:\${VERSION}-python\n`,
    findings: [
      baseError(
        2,
        `Base image tag is unresolved: FROM ${BASE}:\${VERSION}-python gives ${BASE}:-python because ARG VERSION (line 1) has no default and no build-arg was given: give ARG VERSION a default (ARG VERSION=1.23.0) or pass the build-arg VERSION=1.23.0, so that FROM gives ${GOOD}`
      )
    ]
  },
  {
    name: 'two unset ARGs are both named; neither value alone can fix the tag',
    text: `ARG MAJOR\nARG MINOR\nFROM ${BASE}:\${MAJOR}.\${MINOR}.0-python\n`,
    findings: [
      baseError(
        3,
        `Base image tag is unresolved: FROM ${BASE}:\${MAJOR}.\${MINOR}.0-python gives ${BASE}:..0-python because ARG MAJOR (line 1) has no default and no build-arg was given, and ARG MINOR (line 2) has no default and no build-arg was given: give ARG MAJOR a default or pass it as a build-arg; give ARG MINOR a default or pass it as a build-arg (FROM must give ${GOOD})`
      )
    ]
  },
  {
    name: 'a platform ARG in the tag cannot be checked',
    text: `FROM ${BASE}:1.23.0-\${TARGETARCH}\n`,
    findings: [
      baseError(1, ['TARGETARCH is set by BuildKit per target platform, so the base tag cannot be checked: do not build the base tag from TARGETARCH'])
    ]
  },
  {
    name: 'an unset ARG in another image: the image is the problem',
    text: 'ARG TAG\nFROM ubuntu:${TAG}\n',
    findings: [baseError(2, `Base image ubuntu: is not a valid image reference: ${change('ubuntu:', 2)} (FROM ubuntu:\${TAG} at line 2 uses TAG unset)`)]
  },
  {
    name: 'an ARG holding the whole reference',
    text: `ARG BASE_IMAGE\nFROM $BASE_IMAGE\n`,
    findings: [],
    options: { buildArgs: { BASE_IMAGE: GOOD } }
  },
  {
    name: 'a build-arg for an ARG that is not declared has no effect',
    text: `FROM ${BASE}:\${VERSION}-python\n`,
    options: { buildArgs: { VERSION: '1.23.0' } },
    findings: [
      baseError(1, [
        `Base image tag is unresolved: FROM ${BASE}:\${VERSION}-python gives ${BASE}:-python because VERSION is not declared as an ARG before the first FROM`,
        'the build-arg VERSION has no effect until it is declared there',
        `add ARG VERSION=1.23.0 before the first FROM, so that FROM gives ${GOOD}`
      ])
    ]
  },
  {
    name: 'an ARG declared inside a stage cannot be used in FROM',
    text: `FROM ${BASE}:1.23.0-python AS deps\nARG VERSION=1.23.0\nFROM ${BASE}:\${VERSION}-python\n`,
    findings: [baseError(3, ['VERSION is not declared as an ARG before the first FROM', '; ARG VERSION at line 2 is inside a stage'])]
  },
  {
    name: 'a quoted ARG default, two ARGs on one line',
    text: `ARG VERSION="1.23.0" VARIANT='python'\nFROM ${BASE}:\${VERSION}-\${VARIANT}\n`,
    findings: []
  },
  { name: '${VAR:-word} gives the word when VAR is unset', text: `ARG VERSION\nFROM ${BASE}:\${VERSION:-1.23.0}-python\n`, findings: [] },
  {
    name: '${VAR:-word} gives VAR when it is set',
    text: `ARG VERSION=1.22.0\nFROM ${BASE}:\${VERSION:-1.23.0}-python\n`,
    findings: [baseError(2, 'Base image tag 1.22.0-python does not match agent-server 1.23.0')].map(f => ({ ...f, message: [String(f.message)] }))
  },
  {
    name: '${VAR:+word} adds a digest only when VAR is set',
    text: `ARG PIN=yes\nFROM ${BASE}:1.23.0-python\${PIN:+@${SHA}}\n`,
    findings: []
  },
  {
    name: 'global ARG defaults may use earlier global ARGs',
    text: `ARG MAJOR_MINOR=1.23\nARG VERSION=\${MAJOR_MINOR}.0\nFROM ${BASE}:\${VERSION}-python\n`,
    findings: []
  },
  {
    name: 'an escaped $ is not expanded',
    text: `ARG V=1.23.0\nFROM ${BASE}:\\$V-python\n`,
    findings: [baseError(2, [`Base image ${BASE}:$V-python is not a valid image reference`])]
  }
]

const runtimeRows: Row[] = [
  {
    name: 'ENTRYPOINT in the final stage',
    text: `FROM ${GOOD}\nENTRYPOINT ["/bin/sh"]\n`,
    findings: [
      {
        check: 'runtime-contract',
        severity: 'error',
        line: 2,
        message:
          'ENTRYPOINT replaces the agent-server entrypoint (tini -- /usr/local/bin/openhands-agent-server); OpenHands starts the sandbox with its own arguments after that entrypoint, so this image would never become healthy. Remove it: the OpenHands docs say never to set ENTRYPOINT or CMD in a custom sandbox image.'
      }
    ]
  },
  {
    name: 'CMD in the final stage',
    text: `FROM ${GOOD}\ncmd python app.py\n`,
    findings: [
      {
        check: 'runtime-contract',
        severity: 'error',
        line: 2,
        message:
          'CMD is not allowed in a sandbox image: OpenHands starts the agent-server entrypoint (tini -- /usr/local/bin/openhands-agent-server) with its own arguments. Remove it: the OpenHands docs say never to set ENTRYPOINT or CMD in a custom sandbox image.'
      }
    ]
  },
  {
    name: 'ENTRYPOINT and CMD in stages on the chain are errors; in a builder off the chain they are not',
    text: [
      `FROM ${GOOD} AS base`,
      'CMD ["x"]',
      'FROM golang:1.22 AS builder',
      'ENTRYPOINT ["go"]',
      'CMD ["build"]',
      'FROM base AS tools',
      'ENTRYPOINT ["y"]',
      'FROM tools',
      'COPY --from=builder /out /usr/local/bin/'
    ].join('\n'),
    findings: [
      { check: 'runtime-contract', severity: 'error', line: 2, message: ["CMD in stage 'base' (which the final stage is built on) is not allowed"] },
      { check: 'runtime-contract', severity: 'error', line: 7, message: ["ENTRYPOINT in stage 'tools' (which the final stage is built on) replaces"] }
    ]
  },
  {
    name: 'HEALTHCHECK CMD and a RUN mentioning ENTRYPOINT are not ENTRYPOINT or CMD',
    text: `FROM ${GOOD}\nHEALTHCHECK CMD curl -f http://localhost:8000/alive\nRUN echo ENTRYPOINT CMD\n`,
    findings: []
  },
  {
    name: 'ENTRYPOINT text inside a heredoc body is not an instruction',
    text: `FROM ${GOOD}\nCOPY <<EOF /opt/notes.txt\nENTRYPOINT ["sh"]\nCMD x\nFROM ubuntu\nEOF\n`,
    findings: []
  },
  {
    name: 'the target selects the final stage, case-insensitively; stages after it are off the chain',
    text: `FROM ${GOOD} AS Sandbox\nRUN true\nFROM sandbox AS debug\nENTRYPOINT ["sh"]\n`,
    options: { target: 'SANDBOX' },
    findings: []
  }
]

const userWarning = (line: number, spec: string): Expected => ({
  check: 'user',
  severity: 'warning',
  line,
  message: `The image ends as root (USER ${spec}); the agent-server base runs as openhands (UID 10001) and OpenHands expects that user. End the Dockerfile with USER openhands after the steps that need root.`
})

const userRows: Row[] = [
  { name: 'USER root at the end', text: `FROM ${GOOD}\nUSER root\nRUN apt-get update\n`, findings: [userWarning(2, 'root')] },
  { name: 'USER 0', text: `FROM ${GOOD}\nUSER 0\n`, findings: [userWarning(2, '0')] },
  { name: 'USER root:root', text: `FROM ${GOOD}\nUSER root:root\n`, findings: [userWarning(2, 'root:root')] },
  { name: 'USER 0:0', text: `FROM ${GOOD}\nuser 0:0\n`, findings: [userWarning(2, '0:0')] },
  { name: 'USER "root" in quotes', text: `FROM ${GOOD}\nUSER "root"\n`, findings: [userWarning(2, 'root')] },
  { name: 'back to USER openhands', text: `FROM ${GOOD}\nUSER root\nRUN apt-get update\nUSER openhands\n`, findings: [] },
  { name: 'USER 10001', text: `FROM ${GOOD}\nUSER root\nUSER 10001:10001\n`, findings: [] },
  {
    name: 'the last USER on the chain may be in an earlier stage',
    text: `FROM ${GOOD} AS base\nUSER root\nFROM base\nRUN true\n`,
    findings: [userWarning(2, 'root')]
  },
  {
    name: 'USER from a stage ARG whose default is root',
    text: `FROM ${GOOD}\nARG RUN_AS=root\nUSER \${RUN_AS}\n`,
    findings: [userWarning(3, 'root, written USER ${RUN_AS}')]
  },
  {
    name: 'USER from a stage ARG that takes the global default',
    text: `ARG RUN_AS=0\nFROM ${GOOD}\nARG RUN_AS\nUSER $RUN_AS\n`,
    findings: [userWarning(4, '0, written USER $RUN_AS')]
  },
  {
    name: 'USER from an ARG that a build-arg sets to openhands',
    text: `FROM ${GOOD}\nARG RUN_AS=root\nUSER \${RUN_AS}\n`,
    options: { buildArgs: { RUN_AS: 'openhands' } },
    findings: []
  },
  {
    name: 'USER from an ENV of an earlier stage, which ENV wins over an ARG of the same name',
    text: `FROM ${GOOD} AS base\nENV RUN_AS=root\nFROM base\nARG RUN_AS=openhands\nUSER \${RUN_AS}:0\n`,
    findings: [userWarning(5, 'root:0, written USER ${RUN_AS}:0')]
  },
  {
    name: 'USER from an unset ARG is not a finding',
    text: `FROM ${GOOD}\nARG RUN_AS\nUSER \${RUN_AS:-openhands}\n`,
    findings: []
  },
  {
    name: 'USER root in a stage off the chain does not count',
    text: `FROM ubuntu AS builder\nUSER root\nFROM ${GOOD}\nCOPY --from=builder /a /b\n`,
    findings: []
  }
]

const readingRows: Row[] = [
  {
    name: 'CRLF line endings and a BOM keep every line number',
    text: `\ufeff# syntax=docker/dockerfile:1\r\nFROM ${BASE}:1.22.0-python\r\nUSER root\r\nRUN a \\\r\n  b\r\nCMD x\r\n`,
    findings: [
      baseError(2, ['Base image tag 1.22.0-python does not match agent-server 1.23.0']),
      { check: 'runtime-contract', severity: 'error', line: 6, message: ['CMD is not allowed'] },
      userWarning(3, 'root')
    ]
  },
  {
    name: 'escape=` directive: backslashes in FROM are plain text, backticks continue lines',
    text: `# escape=\`\nFROM ${BASE}:1.23.0-python\nRUN dir c:\\ \`\n  && echo done\nCMD x\n`,
    findings: [{ check: 'runtime-contract', severity: 'error', line: 5, message: ['CMD is not allowed'] }]
  },
  {
    name: 'a continued FROM line keeps its first line number',
    text: `ARG V=1.22.0\nFROM \\\n  ${BASE}:\${V}-python \\\n  AS final\n`,
    findings: [baseError(2, ['Base image tag 1.22.0-python does not match'])]
  },
  {
    name: 'FROM --platform and AS in any case',
    text: `FROM --platform=$BUILDPLATFORM ${GOOD} as Base\nFROM base\n`,
    findings: []
  }
]

describe('checkDockerfile: base image', () => {
  it.each(baseRows)('$name', ({ text, options, findings }) => expectFindings(check(text, options), findings))
})

describe('checkDockerfile: ARG expansion in FROM', () => {
  it.each(argRows)('$name', ({ text, options, findings }) => expectFindings(check(text, options), findings))
})

describe('checkDockerfile: runtime contract', () => {
  it.each(runtimeRows)('$name', ({ text, options, findings }) => expectFindings(check(text, options), findings))
})

describe('checkDockerfile: user', () => {
  it.each(userRows)('$name', ({ text, options, findings }) => expectFindings(check(text, options), findings))
})

describe('checkDockerfile: reading rules end to end', () => {
  it.each(readingRows)('$name', ({ text, options, findings }) => expectFindings(check(text, options), findings))
})

describe('checkDockerfile: report facts', () => {
  it('a release base: reference, line, version; no ARGs', () => {
    const report = check(`# a comment\nFROM ${GOOD}@${SHA}\n`)
    expect(report.base).toEqual({ reference: `${GOOD}@${SHA}`, line: 2, version: '1.23.0', digest: SHA })
    expect(report.baseTagArgs).toEqual([])
    expect(report.chain).toEqual([{ index: 0, line: 2, from: `${GOOD}@${SHA}` }])
    expect(report.finalStage).toEqual({ index: 0, line: 2, from: `${GOOD}@${SHA}` })
  })

  it('a multi-stage chain from the final stage back to the root, and the global ARGs of the root FROM', () => {
    const report = check(
      [
        'ARG VERSION=1.23.0',
        'ARG VARIANT=python',
        'ARG UNUSED=x',
        `FROM ${BASE}:\${VERSION}-\${VARIANT} AS base`,
        'FROM golang AS builder',
        'FROM base AS deps',
        'FROM deps AS app',
        'COPY --from=builder /a /b'
      ].join('\n')
    )
    expect(report.findings).toEqual([])
    expect(report.baseTagArgs).toEqual(['VERSION', 'VARIANT'])
    expect(report.base).toEqual({ reference: GOOD, line: 4, version: '1.23.0' })
    expect(report.chain).toEqual([
      { index: 3, name: 'app', line: 7, from: 'deps' },
      { index: 2, name: 'deps', line: 6, from: 'base' },
      { index: 0, name: 'base', line: 4, from: GOOD }
    ])
    expect(report.finalStage).toEqual({ index: 3, name: 'app', line: 7, from: 'deps' })
  })

  it('a failing base still reports the reference and version', () => {
    const report = check(`FROM ${BASE}:1.22.0-python\n`)
    expect(report.base).toEqual({ reference: `${BASE}:1.22.0-python`, line: 1, version: '1.22.0' })
  })

  it('FROM an earlier stage via an ARG is a stage reference', () => {
    const report = check(`ARG STAGE=base\nFROM ${GOOD} AS base\nFROM \${STAGE}\n`)
    expect(report.findings).toEqual([])
    expect(report.chain.map(stage => stage.index)).toEqual([1, 0])
  })

  it('a later stage of the same name replaces the earlier for later FROMs and for target', () => {
    const report = check(`FROM ubuntu AS x\nFROM ${GOOD} AS x\nFROM x AS app\n`, { target: 'app' })
    expect(report.findings).toEqual([])
    expect(report.chain.map(stage => stage.index)).toEqual([2, 1])
  })
})
