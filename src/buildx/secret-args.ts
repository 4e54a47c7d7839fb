/**
 * Build args that look like secrets: a build arg's value is recorded in the image's history by every RUN that
 * uses it, so a secret must go in through `secrets`/`secret-files` (BuildKit secret mounts) instead.
 */
import * as core from '@actions/core'
import { BUFFER_SIZE, scanFile } from '../secrets/engine.js'
import { chunkReader } from '../secrets/chunk-reader.js'

const SECRET_NAME = /(?:^|_)(?:TOKEN|SECRET|PASSWORD|PASSWD|PWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?|AUTH)(?:_|$)|(?:TOKEN|SECRET|PASSWORD|APIKEY)$/i

/** The names of build args whose name or value looks like a secret. Pure. */
export function secretLookingBuildArgs(args: Readonly<Record<string, string>>): string[] {
  const buf = Buffer.allocUnsafe(BUFFER_SIZE)
  return Object.entries(args)
    .filter(([name, value]) => {
      if (value.trim() === '') return false
      if (SECRET_NAME.test(name)) return true
      const line = Buffer.from(`${name}=${value}`, 'utf8')
      return scanFile(chunkReader([line]), buf, line.length, { dotenv: true, codeFile: false, dockerfile: false }).findings.length > 0
    })
    .map(([name]) => name)
}

/** One warning per such build arg, naming it (never its value), which is masked in the log; returns their names. */
export function warnSecretBuildArgs(args: Readonly<Record<string, string>>): string[] {
  const names = secretLookingBuildArgs(args)
  for (const name of names) {
    const value = args[name] ?? ''
    if (value.length >= 4) core.setSecret(value)
    core.warning(
      `build-args: ${name} looks like a secret. A build arg's value is stored in the image (its history records it for every RUN that uses it, ` +
        `and the verify phase fails on it): pass it with the secrets input (or secret-files for a file) and read it in ` +
        `RUN --mount=type=secret,id=${name.toLowerCase()} instead.`
    )
  }
  return names
}
