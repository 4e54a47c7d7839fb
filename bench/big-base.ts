// The realistic bases of bench:verify: the stack's agent-server stand-in plus one layer per Debian package, each
// unpacked on the host (dpkg-deb -x; no internet inside builds), pushed once to the stack's registry and reused by
// every later run. `large` is `base` plus two more packages (about +1 GB), to show what a GB of base costs.
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** ~2.4 GB unpacked in 11 layers (Installed-Size of Debian 12's packages). */
const BASE_PACKAGES = [
  'gcc-arm-none-eabi',
  'libnewlib-arm-none-eabi',
  'golang-1.19-go',
  'libclang-14-dev',
  'unicode-cldr-core',
  'openjdk-17-jre-headless',
  'pandoc',
  'libboost1.74-dev',
  'libtorch1.13',
  'golang-1.19-src',
  'python3-scipy'
]
/** ~1.06 GB more, in 2 layers. */
const EXTRA_PACKAGES = ['ghc', 'ocaml']

const CACHE = process.env.OHE_BENCH_CACHE || '/var/tmp/ohe-bench-base'

/** The .deb of a package: apt's cache when it holds one, else `apt-get download` into the bench's cache. */
function debOf(name: string): string {
  const dirs = ['/var/cache/apt/archives', join(CACHE, 'debs')]
  for (const dir of dirs) {
    const found = existsSync(dir) ? readdirSync(dir).find(file => file.startsWith(`${name}_`) && file.endsWith('.deb')) : undefined
    if (found) return join(dir, found)
  }
  mkdirSync(join(CACHE, 'debs'), { recursive: true })
  execFileSync('apt-get', ['download', name], { cwd: join(CACHE, 'debs'), stdio: ['ignore', 'ignore', 'inherit'] })
  return debOf(name)
}

export interface BenchBase {
  /** `registry/repository:tag` of the pushed base. */
  reference: string
  layers: number
}

/**
 * Builds and pushes `from` + one layer per package as `<repository>:<tag>` unless the registry has it already (the
 * tag names the package list, so a new list makes a new base). `registryHas` asks the registry.
 */
export async function ensureBase(
  from: string,
  repository: string,
  large: boolean,
  registryHas: (tag: string) => Promise<boolean>,
  env: NodeJS.ProcessEnv
): Promise<BenchBase> {
  const packages = large ? [...BASE_PACKAGES, ...EXTRA_PACKAGES] : BASE_PACKAGES
  const tag = `base-${createHash('sha256')
    .update(JSON.stringify([from, packages]))
    .digest('hex')
    .slice(0, 12)}`
  const reference = `${repository}:${tag}`
  const layers = packages.length
  if (await registryHas(tag)) return { reference, layers }
  const context = join(CACHE, 'context')
  for (const name of packages) {
    const dir = join(context, name)
    if (existsSync(dir)) continue
    console.error(`unpacking ${name}`)
    mkdirSync(`${dir}.part`, { recursive: true })
    execFileSync('dpkg-deb', ['-x', debOf(name), `${dir}.part`])
    execFileSync('mv', [`${dir}.part`, dir])
  }
  const dockerfile = join(CACHE, `Dockerfile.${tag}`)
  writeFileSync(dockerfile, [`FROM ${from}`, ...packages.map(name => `COPY ${name}/ /opt/base/${name}/`), ''].join('\n'))
  console.error(`building and pushing ${reference} (${layers} package layers)`)
  const run = spawnSync(
    'docker',
    ['buildx', 'build', '--progress', 'quiet', '--platform', 'linux/amd64', '--file', dockerfile, '--tag', reference, '--push', context],
    {
      env,
      stdio: ['ignore', 'ignore', 'inherit']
    }
  )
  if (run.status !== 0) throw new Error(`building the bench base ${reference} failed`)
  return { reference, layers }
}
