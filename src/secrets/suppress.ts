// Suppressing findings. Three ways, checked in this order:
//
// 1. Inline, in the scanned file:
//      `sandbox-scan:allow` anywhere on the line where the finding starts (usually in a comment):
//          API_KEY=3f9c...   # sandbox-scan:allow
//      `sandbox-scan:allow-next-line` on the line before it, for formats whose lines cannot carry a comment
//      (a Dockerfile ENV, where `#` is only a comment at the start of a line):
//          # sandbox-scan:allow-next-line
//          ENV DB_PASSWORD=devpassword
//      For a multi-line private key, the line is the one with `-----BEGIN … PRIVATE KEY-----`.
//
// 2. An ignore file of fingerprints (default `<context>/.sandbox-scan-ignore`; a missing file is no ignore file).
//    One fingerprint per line, exactly as reported (`<file>:<rule>:<16 hex>`); `#` starts a comment (at the start
//    of a line, or after whitespace); blank lines are skipped. A fingerprint stays valid when the secret moves to
//    another line, and changes when the file, the rule or the value changes:
//          # test fixture, revoked 2024-05
//          config/test.env:dotenv-secret:5d41402abc4b2a76
//
// 3. Path patterns (`excludePaths`): .dockerignore-style patterns relative to the context; matching files are
//    still sent to docker but not scanned. `!` re-includes, as in .dockerignore.

import { readFile } from 'node:fs/promises'
import { UserError } from '../errors.js'
import { errorCode } from './walk.js'

export const ALLOW_MARKER = 'sandbox-scan:allow'
export const ALLOW_NEXT_LINE_MARKER = 'sandbox-scan:allow-next-line'

export function parseIgnoreFile(text: string): Set<string> {
  const fingerprints = new Set<string>()
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(?:^|\s)#.*$/, '').trim()
    if (line !== '') fingerprints.add(line)
  }
  return fingerprints
}

/** The fingerprints in `path`; an empty set when the file does not exist. */
export async function loadIgnoreFile(path: string | undefined): Promise<Set<string>> {
  if (path === undefined) return new Set()
  try {
    return parseIgnoreFile(await readFile(path, 'utf8'))
  } catch (error) {
    const code = errorCode(error)
    if (code === 'ENOENT' || code === 'ENOTDIR') return new Set()
    const why = code === 'EISDIR' ? 'it is a folder' : `${code}`
    throw new UserError(`Cannot read the scan ignore file ${path} (${why}). Set scan-ignore-file to a file of finding fingerprints, one per line.`)
  }
}
