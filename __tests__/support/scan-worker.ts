// The scan pool's worker, bundled from the sources as scripts/bundle.js bundles it for dist/: a test runner runs
// the TypeScript sources, which a worker thread cannot load.
import { build } from 'esbuild'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { scratchDir } from './scratch.js'

let bundled: Promise<URL> | undefined

export function bundledScanWorker(): Promise<URL> {
  bundled ??= (async () => {
    const dir = scratchDir('scan-worker-')
    writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n')
    const outfile = path.join(dir, 'scan-worker.js')
    await build({ entryPoints: ['src/secrets/scan-worker.ts'], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' })
    return pathToFileURL(outfile)
  })()
  return bundled
}
