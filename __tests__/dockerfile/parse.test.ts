import { parseDockerfile, type Instruction, type ParsedDockerfile } from '../../src/dockerfile/parse.js'

/** An instruction without heredocs, on one line unless `endLine` says otherwise. */
function ins(keyword: string, args: string, line: number, endLine = line, heredocs: Instruction['heredocs'] = []): Instruction {
  return { keyword, args, line, endLine, heredocs }
}

function parsed(instructions: Instruction[], directives: Record<string, string> = {}, escape: '\\' | '`' = '\\'): ParsedDockerfile {
  return { directives, escape, instructions }
}

interface Row {
  name: string
  text: string
  expected: ParsedDockerfile
}

const directiveRows: Row[] = [
  {
    name: '# syntax= is read and kept',
    text: '# syntax=docker/dockerfile:1\nFROM a\n',
    expected: parsed([ins('FROM', 'a', 2)], { syntax: 'docker/dockerfile:1' })
  },
  {
    name: '# escape=` makes the backtick the continuation character',
    text: '# escape=`\nFROM a\nRUN echo x `\n  y\nRUN c:\\path\\\n',
    expected: parsed([ins('FROM', 'a', 2), ins('RUN', 'echo x   y', 3, 4), ins('RUN', 'c:\\path\\', 5)], { escape: '`' }, '`')
  },
  {
    name: '# check= is read and kept',
    text: '# check=skip=JSONArgsRecommended;error=true\nFROM a\n',
    expected: parsed([ins('FROM', 'a', 2)], { check: 'skip=JSONArgsRecommended;error=true' })
  },
  {
    name: 'directive names are case-insensitive and spacing around = is allowed',
    text: '# SYNTAX = docker/dockerfile:1.7  \n#Escape=`\n#  Check=error=true\nFROM a\n',
    expected: parsed([ins('FROM', 'a', 4)], { syntax: 'docker/dockerfile:1.7', escape: '`', check: 'error=true' }, '`')
  },
  {
    name: 'a directive after a comment is only a comment',
    text: '# build the sandbox\n# escape=`\nFROM a\nRUN a `\n',
    expected: parsed([ins('FROM', 'a', 3), ins('RUN', 'a `', 4)])
  },
  {
    name: 'a directive after a blank line is only a comment',
    text: '\n# escape=`\nFROM a\n',
    expected: parsed([ins('FROM', 'a', 3)])
  },
  {
    name: 'a directive after an instruction is only a comment',
    text: 'FROM a\n# syntax=docker/dockerfile:1\n',
    expected: parsed([ins('FROM', 'a', 1)])
  },
  {
    name: 'an unknown directive ends the directives',
    text: '# foo=bar\n# escape=`\nFROM a\n',
    expected: parsed([ins('FROM', 'a', 3)])
  },
  {
    name: 'a UTF-8 BOM before the first directive is dropped',
    text: '\ufeff# escape=`\nFROM a\n',
    expected: parsed([ins('FROM', 'a', 2)], { escape: '`' }, '`')
  }
]

const lineRows: Row[] = [
  {
    name: 'instruction names are case-insensitive and split on tabs',
    text: 'from a\nrUn\tb  c \n',
    expected: parsed([ins('FROM', 'a', 1), ins('RUN', 'b  c', 2)])
  },
  {
    name: 'comment lines and indented comments are dropped; # inside an instruction is text',
    text: '# header\nFROM a # not a comment\n   # indented comment\nRUN b\n',
    expected: parsed([ins('FROM', 'a # not a comment', 2), ins('RUN', 'b', 4)])
  },
  {
    name: 'a continuation joins lines as BuildKit does, without adding a space',
    text: 'FROM a\nRUN apt-get update &&\\\n    apt-get install -y git\n',
    expected: parsed([ins('FROM', 'a', 1), ins('RUN', 'apt-get update &&    apt-get install -y git', 2, 3)])
  },
  {
    name: 'spaces and tabs after the escape character still continue the line',
    text: 'RUN a \\  \t\n b\n',
    expected: parsed([ins('RUN', 'a  b', 1, 2)])
  },
  {
    name: 'comment and empty lines inside a continuation are dropped and do not end it',
    text: 'RUN a \\\n# a comment \\\n\n    \n  b \\\n  # another\n  c\nUSER x\n',
    expected: parsed([ins('RUN', 'a   b   c', 1, 7), ins('USER', 'x', 8)])
  },
  {
    name: 'an escaped escape character at the end does not continue the line',
    text: 'RUN echo \\\\\nUSER x\n',
    expected: parsed([ins('RUN', 'echo \\\\', 1), ins('USER', 'x', 2)])
  },
  {
    name: 'a continuation at the end of the file ends the instruction',
    text: 'FROM a\nRUN b \\',
    expected: parsed([ins('FROM', 'a', 1), ins('RUN', 'b', 2)])
  },
  {
    name: 'CRLF line endings, also before a continuation',
    text: 'FROM a\r\n\r\nRUN b \\\r\n  c\r\nUSER x\r\n',
    expected: parsed([ins('FROM', 'a', 1), ins('RUN', 'b   c', 3, 4), ins('USER', 'x', 5)])
  },
  {
    name: 'a UTF-8 BOM before the first instruction is dropped',
    text: '\ufeffFROM a\n',
    expected: parsed([ins('FROM', 'a', 1)])
  },
  {
    name: 'line numbers count blank and comment lines',
    text: '\n\n# c\n\nFROM a\n\n\nUSER b',
    expected: parsed([ins('FROM', 'a', 5), ins('USER', 'b', 8)])
  }
]

const heredocRows: Row[] = [
  {
    name: 'a heredoc body holding FROM and ENTRYPOINT is never an instruction',
    text: 'FROM a\nRUN <<EOF\nFROM evil\nENTRYPOINT ["sh"]\nEOF\nUSER x\n',
    expected: parsed([ins('FROM', 'a', 1), ins('RUN', '<<EOF', 2, 5, [{ delimiter: 'EOF', body: 'FROM evil\nENTRYPOINT ["sh"]\n' }]), ins('USER', 'x', 6)])
  },
  {
    name: '<<-EOF ends at a tab-indented terminator',
    text: 'RUN <<-EOF\n\techo hi\n\tEOF\nUSER x\n',
    expected: parsed([ins('RUN', '<<-EOF', 1, 3, [{ delimiter: 'EOF', body: '\techo hi\n' }]), ins('USER', 'x', 4)])
  },
  {
    name: '<<EOF does not end at an indented terminator',
    text: 'RUN <<EOF\n  EOF\nEOF\n',
    expected: parsed([ins('RUN', '<<EOF', 1, 3, [{ delimiter: 'EOF', body: '  EOF\n' }])])
  },
  {
    name: 'quoted delimiters <<"EOF" and <<\'EOF\'',
    text: 'RUN <<"EOF"\n$HOME\nEOF\nCOPY <<\'END\' /x\nCMD ["a"]\nEND\n',
    expected: parsed([
      ins('RUN', '<<"EOF"', 1, 3, [{ delimiter: 'EOF', body: '$HOME\n' }]),
      ins('COPY', "<<'END' /x", 4, 6, [{ delimiter: 'END', body: 'CMD ["a"]\n' }])
    ])
  },
  {
    name: 'several heredocs on one line are read in order',
    text: 'COPY <<one <<two /dest/\nFROM x\none\nENTRYPOINT y\ntwo\nUSER u\n',
    expected: parsed([
      ins('COPY', '<<one <<two /dest/', 1, 5, [
        { delimiter: 'one', body: 'FROM x\n' },
        { delimiter: 'two', body: 'ENTRYPOINT y\n' }
      ]),
      ins('USER', 'u', 6)
    ])
  },
  {
    name: 'a heredoc after a continued line, with flags and a file descriptor',
    text: 'RUN --mount=type=cache,target=/root/.cache \\\n  python3 2<<EOF\nprint(1)\nEOF\n',
    expected: parsed([ins('RUN', '--mount=type=cache,target=/root/.cache   python3 2<<EOF', 1, 4, [{ delimiter: 'EOF', body: 'print(1)\n' }])])
  },
  {
    name: 'ONBUILD RUN can hold a heredoc',
    text: 'ONBUILD RUN <<EOF\nFROM x\nEOF\n',
    expected: parsed([ins('ONBUILD', 'RUN <<EOF', 1, 3, [{ delimiter: 'EOF', body: 'FROM x\n' }])])
  },
  {
    name: 'the exec (JSON) form never holds a heredoc',
    text: 'RUN ["cat", "<<EOF"]\nFROM x\n',
    expected: parsed([ins('RUN', '["cat", "<<EOF"]', 1), ins('FROM', 'x', 2)])
  },
  {
    name: 'instructions other than RUN, COPY and ADD never hold heredocs',
    text: 'LABEL a=<<EOF\nFROM x\n',
    expected: parsed([ins('LABEL', 'a=<<EOF', 1), ins('FROM', 'x', 2)])
  },
  {
    name: '<< inside a word is not a heredoc',
    text: 'RUN cat<<EOF\nFROM x\n',
    expected: parsed([ins('RUN', 'cat<<EOF', 1), ins('FROM', 'x', 2)])
  },
  {
    name: 'heredoc bodies keep CRLF as written; the terminator matches without it',
    text: 'RUN <<EOF\r\nline\r\nEOF\r\nUSER x\r\n',
    expected: parsed([ins('RUN', '<<EOF', 1, 3, [{ delimiter: 'EOF', body: 'line\r\n' }]), ins('USER', 'x', 4)])
  },
  {
    name: 'a heredoc ending at the last line without a newline',
    text: 'RUN <<EOF\nx\nEOF',
    expected: parsed([ins('RUN', '<<EOF', 1, 3, [{ delimiter: 'EOF', body: 'x\n' }])])
  }
]

describe('parseDockerfile: parser directives', () => {
  it.each(directiveRows)('$name', ({ text, expected }) => {
    expect(parseDockerfile(text)).toEqual(expected)
  })
})

describe('parseDockerfile: lines, comments and continuations', () => {
  it.each(lineRows)('$name', ({ text, expected }) => {
    expect(parseDockerfile(text)).toEqual(expected)
  })
})

describe('parseDockerfile: heredocs', () => {
  it.each(heredocRows)('$name', ({ text, expected }) => {
    expect(parseDockerfile(text)).toEqual(expected)
  })
})
