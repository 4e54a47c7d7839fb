import { BUFFER_SIZE, scanFile } from '../secrets/engine.js'
import { redactHint } from '../secrets/values.js'
import { chunkReader } from '../secrets/chunk-reader.js'

/**
 * A redactor for text the image printed (its log tail): known secret values become `***`, and anything the
 * secret rules detect becomes its redacted hint.
 */
export function makeRedactor(known: readonly string[]): (text: string) => string {
  // Shorter values would blot ordinary words out of the log.
  const values = known.filter(value => value.trim().length >= 8).sort((a, b) => b.length - a.length)
  const buf = Buffer.allocUnsafe(BUFFER_SIZE)
  return text => {
    let result = values.reduce((current, value) => current.split(value).join('***'), text)
    const bytes = Buffer.from(result, 'utf8')
    const found = scanFile(chunkReader([bytes]), buf, bytes.length, { dotenv: true, codeFile: false, dockerfile: false }).findings
    for (const finding of found) result = result.split(finding.value).join(redactHint(finding.value))
    return result
  }
}
