// Validates action.yml and every workflow with @action-validator/cli (npm run validate).
// Its bundled schema predates `runs.using: node24` (supported by GitHub since 2025), so action.yml is checked as a
// copy that says node20; everything else in it is validated as written. It also predates the `attestations`
// permission (2024, for actions/attest-build-provenance), so workflows are checked as copies without that one line.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const validator = join('node_modules', '.bin', 'action-validator')
const scratch = mkdtempSync(join(tmpdir(), 'validate-'))
const action = join(scratch, 'action.yml')
writeFileSync(action, readFileSync('action.yml', 'utf8').replace(/^(\s+using:\s*)node24\s*$/m, '$1node20'))
const workflows = readdirSync('.github/workflows')
  .filter(name => /\.ya?ml$/.test(name))
  .map(name => {
    const copy = join(scratch, name)
    writeFileSync(copy, readFileSync(join('.github/workflows', name), 'utf8').replace(/^\s+attestations:\s*(read|write|none)\b.*\n/gm, ''))
    return [copy, join('.github/workflows', name)]
  })

let failed = 0
for (const [file, shownAs] of [[action, 'action.yml'], ...workflows]) {
  try {
    execFileSync(validator, [file], { stdio: ['ignore', 'pipe', 'pipe'] })
    console.log(`ok      ${shownAs}`)
  } catch (error) {
    failed++
    console.error(`invalid ${shownAs}\n${error.stdout ?? ''}${error.stderr ?? ''}`)
  }
}
rmSync(scratch, { recursive: true, force: true })
process.exit(failed ? 1 : 0)
