import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/** `--runs N` from the command line, or the bench's default. */
export function runsOption(fallback: number): number {
  const at = process.argv.indexOf('--runs')
  return at > 0 ? Number(process.argv[at + 1]) : fallback
}

/** The e2e stack's registry and its credentials (scripts/e2e-stack.sh up); exits 2 with a hint when it is not up. */
export function stackOrExit(): { registry: string; username: string; password: string } {
  const stateDir = process.env.OHE_E2E_STATE || '/tmp/ohe-e2e'
  const read = (name: string): string => readFileSync(join(stateDir, name), 'utf8').trim()
  try {
    return { registry: read('registry-url'), username: read('registry-username'), password: read('registry-password') }
  } catch {
    console.error('The e2e stack is not up: run `bash scripts/e2e-stack.sh up` as root first.')
    process.exit(2)
  }
}
