/**
 * The Dockerfile line of an instruction as history shows it (showInstruction), so an image finding is annotated
 * where the user can change it. A heuristic: the first line whose text (continuations joined, spaces squeezed)
 * starts with the same keyword and contains the start of the same command. Pure.
 */
import { showInstruction, type HistoryEntry } from './history.js'

/**
 * The line of an image finding: from its history entry as recorded when it has one (the finding's own instruction
 * has the value it found redacted, and the Dockerfile line that wrote the value literally does not), else from its
 * instruction (Env and Labels findings).
 */
export function findingLine(
  dockerfile: string,
  finding: { instruction: string; step?: number },
  history: readonly HistoryEntry[] | undefined
): number | undefined {
  const recorded = finding.step === undefined ? undefined : history?.[finding.step]?.created_by
  return instructionLine(dockerfile, recorded === undefined ? finding.instruction : showInstruction(recorded))
}

export function instructionLine(dockerfile: string, instruction: string): number | undefined {
  const match = /^([A-Z]+) (.*?)(?: \(with build args [^)]*\))?$/.exec(instruction)
  if (!match) return undefined
  const keyword = match[1] ?? ''
  const body = squeeze(match[2] ?? '')
    .replace(/…$/, '')
    .slice(0, 40)
  const lines = dockerfile.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    let text = lines[i] ?? ''
    let j = i
    while (/\\\s*$/.test(text) && j + 1 < lines.length) text = text.replace(/\\\s*$/, ' ') + (lines[++j] ?? '')
    const line = squeeze(text)
    const head = /^(\w+)\s+(.*)$/.exec(line)
    if (!head || (head[1] ?? '').toUpperCase() !== keyword) continue
    const rest = (head[2] ?? '').replace(/^(?:--\S+\s+)*/, '')
    if (body === '' || rest.includes(body) || (rest !== '' && body.includes(rest.slice(0, 40)))) return i + 1
  }
  return undefined
}

function squeeze(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}
