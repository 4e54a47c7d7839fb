import { GOOD, check, type CheckOptions } from './support.js'
import { UserError } from '../../src/errors.js'

const FILE = 'sandbox/Dockerfile'

function thrownBy(text: string, options: CheckOptions = {}): UserError {
  try {
    check(text, { file: FILE, ...options })
  } catch (thrown) {
    if (thrown instanceof UserError) return thrown
    throw new Error(`expected a UserError, got ${String(thrown)}`)
  }
  throw new Error('expected a UserError, nothing was thrown')
}

interface Row {
  name: string
  text: string
  options?: CheckOptions
  message: string
  file?: string
  line?: number
}

const rows: Row[] = [
  {
    name: 'an empty file',
    text: '',
    message: `${FILE} is empty: it needs at least a FROM instruction, e.g. FROM ghcr.io/openhands/agent-server:<version>-python.`,
    file: FILE
  },
  {
    name: 'whitespace only, with a BOM and CRLF',
    text: '\ufeff \r\n\t\n',
    message: `${FILE} is empty: it needs at least a FROM instruction, e.g. FROM ghcr.io/openhands/agent-server:<version>-python.`,
    file: FILE
  },
  {
    name: 'NUL bytes',
    text: 'FROM x\0\0\0',
    message: `${FILE} is not a text file (it holds a NUL byte at character 7). Set file to your Dockerfile.`,
    file: FILE
  },
  {
    name: 'mostly control characters',
    text: 'PK\u0003\u0004\u0014\u0006\u0008\ufffd\ufffd\u0001\u0002abc',
    message: `${FILE} is not a text file (9 of its first 14 characters are control bytes or not UTF-8). Set file to your Dockerfile.`,
    file: FILE
  },
  {
    name: 'comments only: no FROM',
    text: '# nothing here\n# syntax=x\n',
    message: `${FILE} has no FROM instruction, so it builds nothing. Start it with FROM ghcr.io/openhands/agent-server:<version>-python.`,
    file: FILE
  },
  {
    name: 'only global ARGs: no FROM',
    text: 'ARG A=1\n',
    message: `${FILE} has no FROM instruction, so it builds nothing. Start it with FROM ghcr.io/openhands/agent-server:<version>-python.`,
    file: FILE
  },
  {
    name: 'an instruction other than ARG before the first FROM',
    text: `ARG A=1\nRUN echo hi\nFROM ${GOOD}\n`,
    message: 'Line 2: RUN comes before the first FROM; only ARG may (BuildKit: no build stage in current context). Move it below a FROM.',
    file: FILE,
    line: 2
  },
  {
    name: 'a target that names no stage lists the stages',
    text: `FROM ${GOOD} AS base\nFROM base AS App\n`,
    options: { target: 'debug' },
    message: `Target stage 'debug' is not in ${FILE}: its stages are base, app. Set target to one of them, or leave it empty for the last stage.`,
    file: FILE
  },
  {
    name: 'a target in a Dockerfile without stage names',
    text: `FROM ${GOOD}\n`,
    options: { target: 'app' },
    message: `Target stage 'app' is not in ${FILE}: it names no stages (FROM image AS name). Set target to one of them, or leave it empty for the last stage.`,
    file: FILE
  },
  {
    name: 'FROM with no image',
    text: 'FROM\n',
    message: 'Line 1: FROM has no image. Write FROM ghcr.io/openhands/agent-server:<version>-python.',
    file: FILE,
    line: 1
  },
  {
    name: 'FROM with only a flag',
    text: 'FROM --platform=linux/amd64\n',
    message: 'Line 1: FROM has no image. Write FROM ghcr.io/openhands/agent-server:<version>-python.',
    file: FILE,
    line: 1
  },
  {
    name: 'FROM with two arguments',
    text: `# c\nFROM ${GOOD} base\n`,
    message: `Line 2: FROM ${GOOD} base is not FROM [--platform=…] image [AS name] (FROM takes one or three arguments).`,
    file: FILE,
    line: 2
  },
  {
    name: 'an invalid stage name',
    text: `FROM ${GOOD} AS 1st\n`,
    message: "Line 1: '1st' is not a valid stage name: it must start with a letter and hold only letters, digits, '-', '_' and '.'.",
    file: FILE,
    line: 1
  },
  {
    name: 'an unknown FROM flag',
    text: `FROM --platfrom=linux/amd64 ${GOOD}\n`,
    message: 'Line 1: FROM has an unknown flag --platfrom; only --platform is allowed.',
    file: FILE,
    line: 1
  },
  {
    name: 'FROM --platform with its value as a separate word',
    text: `FROM --platform linux/amd64 ${GOOD}\n`,
    message: "Line 1: FROM --platform needs its value after '=', e.g. --platform=linux/amd64.",
    file: FILE,
    line: 1
  },
  {
    name: 'an unknown instruction',
    text: `FROM ${GOOD}\nRUNN true\n`,
    message:
      'Line 2: unknown instruction RUNN. Dockerfile instructions are ADD, ARG, CMD, COPY, ENTRYPOINT, ENV, EXPOSE, FROM, HEALTHCHECK, LABEL, MAINTAINER, ONBUILD, RUN, SHELL, STOPSIGNAL, USER, VOLUME, WORKDIR.',
    file: FILE,
    line: 2
  },
  {
    name: 'an unterminated heredoc',
    text: `FROM ${GOOD}\nRUN <<EOF\necho hi\n`,
    message: 'Line 2: heredoc <<EOF is never terminated (no line holding only EOF).',
    file: FILE,
    line: 2
  },
  {
    name: 'a repeated parser directive',
    text: `# syntax=a\n# SYNTAX=b\nFROM ${GOOD}\n`,
    message: 'Line 2: only one syntax parser directive can be used.',
    file: FILE,
    line: 2
  },
  {
    name: 'an invalid escape directive',
    text: `# escape=x\nFROM ${GOOD}\n`,
    message: "Line 1: invalid escape directive 'x'; use \\ or `.",
    file: FILE,
    line: 1
  },
  {
    name: 'FROM that expands to nothing names the unset ARG',
    text: 'ARG BASE\nFROM $BASE\n',
    message: 'Line 2: FROM $BASE gives an empty image name because BASE is unset. Give the ARG a default before the first FROM or pass it as a build-arg.',
    file: FILE,
    line: 2
  },
  {
    name: 'a broken substitution in FROM',
    text: 'ARG V=1\nFROM x:${V\n',
    message: "Line 2: cannot expand x:${V: syntax error: missing '}'.",
    file: FILE,
    line: 2
  },
  {
    name: '${VAR?message} in a global ARG default',
    text: 'ARG V=${REQUIRED?required}\nFROM x\n',
    message: 'Line 1: cannot expand ${REQUIRED?required}: REQUIRED: required.',
    file: FILE,
    line: 1
  }
]

describe('checkDockerfile: unusable input throws UserError with file and line', () => {
  it.each(rows)('$name', ({ text, options, message, file, line }) => {
    const error = thrownBy(text, options)
    expect(error.message).toBe(message)
    expect(error.file).toBe(file)
    expect(error.line).toBe(line)
  })
})
