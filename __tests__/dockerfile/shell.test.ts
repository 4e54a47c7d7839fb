import { processWord, ShellSyntaxError } from '../../src/dockerfile/shell.js'
import { splitQuotedWords } from '../../src/dockerfile/words.js'

const env = new Map([
  ['V', '1.23.0'],
  ['EMPTY', ''],
  ['W', 'python']
])

describe('processWord: expansion as BuildKit does it', () => {
  // [text, escape, result, used, unset]
  const rows: Array<[string, string, string, string[], string[]]> = [
    ['$V', '\\', '1.23.0', ['V'], []],
    ['${V}', '\\', '1.23.0', ['V'], []],
    ['x:${V}-$W', '\\', 'x:1.23.0-python', ['V', 'W'], []],
    ['a${NOPE}b', '\\', 'ab', ['NOPE'], ['NOPE']],
    ['$NOPE', '\\', '', ['NOPE'], ['NOPE']],
    ['${NOPE:-1.23.0}', '\\', '1.23.0', ['NOPE'], []],
    ['${EMPTY:-d}', '\\', 'd', ['EMPTY'], []],
    ['${EMPTY-d}', '\\', '', ['EMPTY'], []],
    ['${V:-d}', '\\', '1.23.0', ['V'], []],
    ['${V:+@pinned}', '\\', '@pinned', ['V'], []],
    ['${NOPE:+@pinned}', '\\', '', ['NOPE'], []],
    ['${EMPTY:+w}', '\\', '', ['EMPTY'], []],
    ['${EMPTY+w}', '\\', 'w', ['EMPTY'], []],
    ['${NOPE:-${V}-$W}', '\\', '1.23.0-python', ['V', 'W', 'NOPE'], []],
    ['\\$V', '\\', '$V', [], []],
    ['`$V', '`', '$V', [], []],
    ['\\$V', '`', '\\1.23.0', ['V'], []],
    ["'$V'", '\\', '$V', [], []],
    ['"$V"', '\\', '1.23.0', ['V'], []],
    ['"a\\"b"', '\\', 'a"b', [], []],
    ['$', '\\', '$', [], []],
    ['a$-b', '\\', 'ab', ['-'], ['-']],
    ['${V#*.}', '\\', '23.0', ['V'], []],
    ['${V##*.}', '\\', '0', ['V'], []],
    ['${V%.*}', '\\', '1.23', ['V'], []],
    ['${V%%.*}', '\\', '1', ['V'], []],
    ['${V#?}', '\\', '.23.0', ['V'], []],
    ['${V/./-}', '\\', '1-23.0', ['V'], []],
    ['${V//./-}', '\\', '1-23-0', ['V'], []],
    ['${V/#/x}', '\\', '1.23.0', ['V'], []]
  ]
  it.each(rows)('%s (escape %s) -> %s', (text, escape, result, used, unset) => {
    const expansion = processWord(text, env, { escape })
    expect(expansion.result).toBe(result)
    expect(expansion.used).toEqual(used)
    expect(expansion.unset).toEqual(unset)
  })
})

describe('processWord: errors BuildKit reports', () => {
  const rows: Array<[string, string]> = [
    ['${V', "syntax error: missing '}'"],
    ['${V:-x', "syntax error: missing '}'"],
    ['${}', 'syntax error: bad substitution'],
    ['${:x}', 'syntax error: bad substitution'],
    ['${V:x}', 'unsupported modifier (:x) in substitution'],
    ['${V^}', 'unsupported modifier (^) in substitution'],
    ['${V:#x}', 'unsupported modifier (:#) in substitution'],
    ['${NOPE?}', 'NOPE: is not allowed to be unset'],
    ['${EMPTY:?must be set}', 'EMPTY: must be set'],
    ["'open", 'unexpected end of statement while looking for matching single-quote'],
    ['"open', 'unexpected end of statement while looking for matching double-quote'],
    ['${V#\\x}', "invalid pattern (\\x) in substitution: invalid escape '\\x'"]
  ]
  it.each(rows)('%s', (text, message) => {
    let thrown: unknown
    try {
      processWord(text, env, { escape: '\\' })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(ShellSyntaxError)
    expect((thrown as Error).message).toBe(message)
  })
})

describe('processWord: words with raw quotes (heredoc detection)', () => {
  it.each([
    ['RUN cat <<EOF', ['RUN', 'cat', '<<EOF']],
    ['COPY <<"EOF" <<\'END\' /x', ['COPY', '<<"EOF"', "<<'END'", '/x']],
    ['RUN echo "a b" $X', ['RUN', 'echo', '"a b"', '$X']],
    ['RUN a\\ b', ['RUN', 'a\\ b']]
  ])('%s', (text, words) => {
    expect(processWord(text, new Map(), { escape: '\\', rawQuotes: true, rawEscapes: true, skipUnsetEnv: true, words: true }).words).toEqual(words)
  })
})

describe('splitQuotedWords: ARG arguments as BuildKit splits them', () => {
  it.each([
    ['A', '\\', ['A']],
    ['A=1 B=2', '\\', ['A=1', 'B=2']],
    ['A="a b" B', '\\', ['A="a b"', 'B']],
    ["A='x y'", '\\', ["A='x y'"]],
    ['A=a\\ b', '\\', ['A=a\\ b']],
    ['A=`"b', '`', ['A=`"b']],
    ['A=x \\', '\\', ['A=x']],
    ['  ', '\\', []]
  ])('%s', (text, escape, words) => {
    expect(splitQuotedWords(text, escape)).toEqual(words)
  })
})
