// npm test: every jest project, then one closing line with the counts. The stack tests run wherever the real stack
// is up and skip elsewhere; in CI (CI=true) a stack test that did not run fails the run, so a missing engine can never
// pass for a green build. Extra arguments go to jest (e.g. `npm test -- --selectProjects unit`).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

const scratch = mkdtempSync(path.join(tmpdir(), 'jest-results-'))
const results = path.join(scratch, 'results.json')
const jest = path.resolve('node_modules', 'jest', 'bin', 'jest.js')
const run = spawnSync(process.execPath, [jest, '--json', `--outputFile=${results}`, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, NODE_OPTIONS: [process.env.NODE_OPTIONS, '--experimental-vm-modules'].filter(Boolean).join(' ') }
})

let report
try {
  report = JSON.parse(readFileSync(results, 'utf8'))
} catch {
  console.error('jest wrote no results: see its output above.')
  process.exit(run.status || 1)
} finally {
  rmSync(scratch, { recursive: true, force: true })
}

const stackDir = `${path.sep}__tests__${path.sep}stack${path.sep}`
const stackSkipped = report.testResults
  .filter(file => file.name.includes(stackDir))
  .flatMap(file => file.assertionResults)
  .filter(test => test.status === 'pending' || test.status === 'skipped').length
let status = run.status ?? 1
if (stackSkipped > 0) {
  console.log(`${stackSkipped} stack test(s) did not run: the Docker stack is down (bring it up with: bash scripts/e2e-stack.sh up).`)
  if (process.env.CI === 'true') {
    console.log('In CI every stack test must run: failing.')
    status = status || 1
  }
}
console.log(`jest: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped`)
process.exit(status)
