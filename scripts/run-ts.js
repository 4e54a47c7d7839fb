// Runs a TypeScript entry (a benchmark) by bundling it to a temporary ESM file first: Node 20 cannot run .ts. The
// secret engine's worker entry is bundled beside it, where the scan pool looks for it.
import { build } from 'esbuild'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const [entry, ...rest] = process.argv.slice(2)
if (!entry) {
  console.error('usage: node scripts/run-ts.js <file.ts> [args...]')
  process.exit(2)
}
const dir = mkdtempSync(join(tmpdir(), 'run-ts-'))
const outfile = join(dir, 'entry.js')
// Both files are ESM, as dist/ is.
writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
await build({
  entryPoints: { entry: resolve(entry), 'scan-worker': resolve('src/secrets/scan-worker.ts') },
  outdir: dir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" }
})
process.argv = [process.argv[0], resolve(entry), ...rest]
try {
  await import(pathToFileURL(outfile).href)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
