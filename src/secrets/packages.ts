// Installed third-party packages: a file inside one is already public on the registry it came from, so a
// token-shaped string in it is a notice ("in installed package X@version"), not a failure. Recognised by the
// package manager's own records, never by the folder name alone:
//   node_modules/<pkg> or node_modules/@scope/<pkg> with its package.json (name, version);
//   site-packages/ or dist-packages/ holding *.dist-info or *.egg-info records (top_level.txt or RECORD name
//   the top-level modules of each distribution);
//   vendor/ with Go's vendor/modules.txt, PHP Composer's vendor/composer/installed.json, or Bundler's
//   vendor/bundle/ruby/<v>/gems/<name>-<version>/.
// A folder under node_modules whose name starts with a dot (`.cache`, `.bin`) is no package. Credential files are
// never a package's content: the caller keeps failing on those (isCredentialFileName).

export interface PackageIo {
  /** A small text file's content, or undefined when it cannot be read. */
  readText(rel: string): Promise<string | undefined>
  /** Names in a folder, or [] when it cannot be listed. */
  list(rel: string): Promise<string[]>
}

export class PackageIndex {
  private readonly cache = new Map<string, Promise<string | undefined>>()
  private readonly python = new Map<string, Promise<Map<string, string> | undefined>>()
  private readonly goVendor = new Map<string, Promise<Array<[string, string]> | undefined>>()
  private readonly composer = new Map<string, Promise<Map<string, string> | undefined>>()

  constructor(private readonly io: PackageIo) {}

  /** `name@version` of the installed package that holds `rel` ('/'-separated, relative to the root), if any. */
  async lookup(rel: string): Promise<string | undefined> {
    const segs = rel.split('/')
    const node = segs.lastIndexOf('node_modules')
    if (node >= 0 && node + 2 < segs.length) return this.npm(segs, node)
    const site = Math.max(segs.lastIndexOf('site-packages'), segs.lastIndexOf('dist-packages'))
    if (site >= 0 && site + 1 < segs.length) return this.pythonPackage(segs, site)
    const vendor = segs.lastIndexOf('vendor')
    if (vendor >= 0 && vendor + 2 < segs.length) return this.vendored(segs, vendor)
    return undefined
  }

  private npm(segs: string[], at: number): Promise<string | undefined> {
    const first = segs[at + 1] ?? ''
    if (first.startsWith('.')) return Promise.resolve(undefined)
    const scoped = first.startsWith('@')
    if (scoped && at + 3 >= segs.length) return Promise.resolve(undefined)
    const root = segs.slice(0, at + (scoped ? 3 : 2)).join('/')
    return this.memo(this.cache, root, async () => {
      const text = await this.io.readText(`${root}/package.json`)
      if (text === undefined) return undefined
      try {
        const manifest = JSON.parse(text) as { name?: unknown; version?: unknown }
        if (typeof manifest.name !== 'string') return undefined
        return typeof manifest.version === 'string' ? `${manifest.name}@${manifest.version}` : manifest.name
      } catch {
        return undefined
      }
    })
  }

  private async pythonPackage(segs: string[], at: number): Promise<string | undefined> {
    const dir = segs.slice(0, at + 1).join('/')
    const tops = await this.memo(this.python, dir, () => this.readDistributions(dir))
    if (tops === undefined) return undefined
    const top = (segs[at + 1] ?? '').replace(/\.(?:py|pyi|so|pth)$/, '').replace(/\.cpython-.*$/, '')
    const record = /^(.+?)-([^-]+?)\.(?:dist|egg)-info$/.exec(segs[at + 1] ?? '')
    if (record !== null) return `${record[1]}@${record[2]}`
    return tops.get(top) ?? tops.get(top.toLowerCase()) ?? `${top} (installed Python package)`
  }

  /** top-level module -> `name@version`, or undefined when the folder holds no distribution records. */
  private async readDistributions(dir: string): Promise<Map<string, string> | undefined> {
    const names = await this.io.list(dir)
    const records = names.filter(n => /\.(?:dist|egg)-info$/.test(n))
    if (records.length === 0) return undefined
    const tops = new Map<string, string>()
    const claims = new Map<string, Set<string>>()
    for (const record of records) {
      const m = /^(.+?)-([0-9][^-]*?)(?:-py[0-9.]+)?\.(?:dist|egg)-info$/.exec(record)
      const label = m === null ? record.replace(/\.(?:dist|egg)-info$/, '') : `${m[1]}@${m[2]}`
      const name = (m?.[1] ?? record).toLowerCase()
      tops.set(name, label)
      tops.set(name.replace(/-/g, '_'), label)
      const topLevel = await this.io.readText(`${dir}/${record}/top_level.txt`)
      const listed = topLevel ?? (await this.io.readText(`${dir}/${record}/RECORD`))?.split('\n').map(l => l.split('/')[0]?.split(',')[0] ?? '')
      for (const line of typeof listed === 'string' ? listed.split('\n') : (listed ?? [])) {
        const top = line.trim().replace(/\.py$/, '')
        if (top === '' || top.endsWith('-info') || top === '..') continue
        const owners = claims.get(top) ?? new Set<string>()
        owners.add(label)
        claims.set(top, owners)
      }
    }
    // A namespace (`azure`, `google`) is shared by many distributions: name the namespace, not one of them.
    for (const [top, owners] of claims) {
      tops.set(top, owners.size === 1 ? [...owners][0]! : `${top} (namespace of ${owners.size} installed Python distributions)`)
    }
    return tops
  }

  private async vendored(segs: string[], at: number): Promise<string | undefined> {
    const root = segs.slice(0, at + 1).join('/')
    const rest = segs.slice(at + 1)
    // Bundler: vendor/bundle/ruby/<version>/gems/<name>-<version>/…
    if (rest[0] === 'bundle' && rest[1] === 'ruby' && rest[3] === 'gems' && rest.length > 5) {
      const gem = /^(.+)-([0-9][^-]*)$/.exec(rest[4] ?? '')
      if (gem !== null) return `${gem[1]}@${gem[2]}`
    }
    const modules = await this.memo(this.goVendor, root, async () => {
      const text = await this.io.readText(`${root}/modules.txt`)
      if (text === undefined) return undefined
      const list: Array<[string, string]> = []
      for (const m of text.matchAll(/^# (\S+) (\S+)/gm)) list.push([m[1]!, m[2]!])
      return list.sort((a, b) => b[0].length - a[0].length)
    })
    const path = rest.join('/')
    const go = modules?.find(([module]) => path.startsWith(`${module}/`))
    if (go !== undefined) return `${go[0]}@${go[1]}`
    const composer = await this.memo(this.composer, root, async () => {
      const text = await this.io.readText(`${root}/composer/installed.json`)
      if (text === undefined) return undefined
      try {
        const parsed = JSON.parse(text) as { packages?: unknown } | unknown[]
        const list = Array.isArray(parsed) ? parsed : Array.isArray(parsed.packages) ? parsed.packages : []
        const map = new Map<string, string>()
        for (const p of list as Array<{ name?: unknown; version?: unknown }>) {
          if (typeof p.name === 'string') map.set(p.name, typeof p.version === 'string' ? `${p.name}@${p.version}` : p.name)
        }
        return map
      } catch {
        return undefined
      }
    })
    return composer?.get(`${rest[0]}/${rest[1]}`)
  }

  private memo<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
    let hit = map.get(key)
    if (hit === undefined) {
      hit = make()
      map.set(key, hit)
    }
    return hit
  }
}

/**
 * Files that only ever hold credentials, private key files among them: inside an installed package they still fail
 * (a package has no business shipping one; a .pem holding only certificates yields no finding anyway).
 */
export function isCredentialFileName(name: string): boolean {
  return /^(?:id_(?:rsa|dsa|ecdsa|ed25519)|\.npmrc|\.git-credentials|\.netrc|_netrc|\.pypirc|\.dockercfg)$/.test(name) || /\.(?:ppk|pem|key|p8)$/.test(name)
}
