import { UserError } from '../errors.js'

/** Go's unicode.IsSpace, which BuildKit uses to trim and split (JavaScript's \s differs on U+0085 and U+FEFF). */
export function isSpace(ch: string): boolean {
  switch (ch) {
    case ' ':
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case '\u0085':
    case '\u00a0':
    case '\u1680':
    case '\u2028':
    case '\u2029':
    case '\u202f':
    case '\u205f':
    case '\u3000':
      return true
    default:
      return ch >= '\u2000' && ch <= '\u200a'
  }
}

export function trimLeftSpace(text: string): string {
  let start = 0
  while (start < text.length && isSpace(text.charAt(start))) start++
  return start === 0 ? text : text.slice(start)
}

/** Go's strings.TrimSpace. */
export function trimSpace(text: string): string {
  let end = text.length
  while (end > 0 && isSpace(text.charAt(end - 1))) end--
  return trimLeftSpace(end === text.length ? text : text.slice(0, end))
}

const CLIP = 200

/** Keeps a message readable when it quotes a huge (generated or broken) piece of the Dockerfile. */
export function clip(text: string): string {
  return text.length > CLIP ? `${text.slice(0, CLIP)}…` : text
}

/** Where the share of control characters (and U+FFFD from bytes that were not UTF-8) says "not a text file". */
const BINARY_SHARE = 0.1
const SAMPLE = 64 * 1024

/** Refuses what no Dockerfile can be: empty, whitespace only, or binary. */
export function assertDockerfileText(text: string, file?: string, shownAs = file): void {
  const shown = shownAs ?? 'The Dockerfile'
  let meaningful = false
  for (let i = 0; i < text.length && !meaningful; i++) {
    const ch = text.charAt(i)
    meaningful = !isSpace(ch) && ch !== '\ufeff'
  }
  if (!meaningful) {
    throw new UserError(`${shown} is empty: it needs at least a FROM instruction, e.g. FROM ghcr.io/openhands/agent-server:<version>-python.`, file)
  }
  const nul = text.indexOf('\0')
  if (nul !== -1) {
    throw new UserError(`${shown} is not a text file (it holds a NUL byte at character ${nul + 1}). Set file to your Dockerfile.`, file)
  }
  const sample = text.length > SAMPLE ? text.slice(0, SAMPLE) : text
  let odd = 0
  for (let i = 0; i < sample.length; i++) {
    const code = sample.charCodeAt(i)
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0b && code !== 0x0c && code !== 0x0d) || code === 0x7f || code === 0xfffd) odd++
  }
  if (odd > sample.length * BINARY_SHARE) {
    throw new UserError(
      `${shown} is not a text file (${odd} of its first ${sample.length} characters are control bytes or not UTF-8). Set file to your Dockerfile.`,
      file
    )
  }
}
