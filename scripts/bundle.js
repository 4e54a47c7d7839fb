// Bundles the action into the ESM files that the runner executes: dist/index.js, and dist/scan-worker.js, the
// entry of the secret engine's worker threads (found next to index.js at run time).
import { build } from 'esbuild'

await build({
  entryPoints: { index: 'src/index.ts', 'scan-worker': 'src/secrets/scan-worker.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  legalComments: 'none',
  logLevel: 'warning',
  // CommonJS dependencies call require() on Node built-ins; give the ESM bundle a real require.
  banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" }
})
