// `npm start`: runs the bundled action (dist/index.js) on examples/sandbox the way a runner would.
// Without a Docker engine it runs the checks and the scan only; with one it also builds, never pushes.
// When the test stack of scripts/e2e-stack.sh is up, its stand-in base image replaces ghcr.io (no network needed).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const scratch = mkdtempSync(join(tmpdir(), 'ohe-example-'))
const engine = spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0
const stackUp = engine && existsSync(join(process.env.OHE_E2E_STATE ?? '/tmp/ohe-e2e', 'registry-password'))
const base = stackUp ? '127.0.0.1:5000/openhands/agent-server' : 'ghcr.io/openhands/agent-server'

const inputs = {
  'agent-server-version': '1.23.0',
  'base-image': base,
  context: 'examples/sandbox',
  'build-args': `BASE_REPOSITORY=${base}`,
  build: String(engine),
  push: 'false'
}
const env = { ...process.env, GITHUB_WORKSPACE: root, GITHUB_OUTPUT: join(scratch, 'output'), RUNNER_TEMP: scratch }
writeFileSync(env.GITHUB_OUTPUT, '')
for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value

console.log(engine ? `Docker engine found: checking, scanning and building (no push) on ${base}` : 'No Docker engine: checks and scan only')
const result = spawnSync(process.execPath, [join(root, 'dist', 'index.js')], { cwd: root, env, stdio: 'inherit' })
// GITHUB_OUTPUT holds `name<<delimiter`, the value, `delimiter`: print it as name = value.
const records = readFileSync(env.GITHUB_OUTPUT, 'utf8').matchAll(/^([^<\n]+)<<(.+)\n([\s\S]*?)\n\2$/gm)
console.log(`\nOutputs:\n${[...records].map(([, name, , value]) => `  ${name} = ${value}`).join('\n')}`)
rmSync(scratch, { recursive: true, force: true })
process.exit(result.status ?? 1)
