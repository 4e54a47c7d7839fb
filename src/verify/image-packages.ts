/**
 * The context scan's installed-package policy (src/secrets/packages.ts) applied to the image scan. While the custom
 * layers stream by, the small package-manager records PackageIndex reads are kept (packageRecordKind); afterwards
 * each layer finding is looked up in the records as the image stood at the finding's layer (that layer and the ones
 * below it: later layers override, whiteouts delete). A finding inside an installed third-party package is a notice
 * (public already, never failing) unless scan-installed-packages is fail; credential files and config findings
 * (Env, Labels, history) never are package content.
 */
import path from 'node:path'
import { credentialKind, isDotenv } from '../secrets/credential-files.js'
import { PackageIndex, isCredentialFileName, type PackageIo } from '../secrets/packages.js'
import type { ImageSecretFinding, ImageSecrets } from './image-scan.js'
import type { PackageRecord } from './package-records.js'
import type { ScannedImage } from './scanned-image.js'
import type { Whiteout } from './whiteout.js'

/** The records as the image stands after some layers: relative paths (no leading `/`) to text. */
export class RecordView {
  private readonly files = new Map<string, string>()
  /** Folder -> the records beneath it, so a whiteout costs what it deletes (an apt purge writes thousands). */
  private readonly under = new Map<string, Set<string>>()

  /** Applies one layer: its whiteouts delete what the layers below it put there, then its records are added. */
  apply(whiteouts: readonly Whiteout[], records: readonly PackageRecord[]): void {
    for (const whiteout of whiteouts) {
      const target = relative(whiteout.kind === 'file' ? whiteout.path : whiteout.dir)
      if (target === '') {
        this.files.clear()
        this.under.clear()
        continue
      }
      if (whiteout.kind === 'file') this.delete(target)
      for (const key of [...(this.under.get(target) ?? [])]) this.delete(key)
    }
    for (const record of records) {
      const key = relative(record.path)
      this.files.set(key, record.text)
      for (const dir of ancestors(key)) {
        let set = this.under.get(dir)
        if (set === undefined) this.under.set(dir, (set = new Set()))
        set.add(key)
      }
    }
  }

  private delete(key: string): void {
    if (!this.files.delete(key)) return
    for (const dir of ancestors(key)) this.under.get(dir)?.delete(key)
  }

  /** A PackageIo over a snapshot of the records (so a lookup never sees a later layer). */
  io(): PackageIo {
    const files = new Map(this.files)
    return {
      readText: rel => Promise.resolve(files.get(rel)),
      list: rel => {
        const names = new Set<string>()
        const prefix = rel === '' ? '' : `${rel}/`
        for (const key of files.keys()) if (key.startsWith(prefix)) names.add(key.slice(prefix.length).split('/')[0] ?? '')
        names.delete('')
        return Promise.resolve([...names].sort())
      }
    }
  }
}

/** `a/b/c` -> `a`, `a/b`. */
function ancestors(key: string): string[] {
  const segs = key.split('/')
  return segs.slice(0, -1).map((_, index) => segs.slice(0, index + 1).join('/'))
}

function relative(imagePath: string): string {
  return imagePath
    .split('/')
    .filter(seg => seg !== '')
    .join('/')
}

/** Whether a finding's file is one that only ever holds credentials: never a package's content. */
function credentialFile(file: string): boolean {
  const base = path.posix.basename(file)
  return credentialKind(base, path.posix.basename(path.posix.dirname(file))) !== undefined || isDotenv(base) || isCredentialFileName(base)
}

/**
 * Splits the image findings into findings and notices. Each layer finding is looked up in the records of its own
 * layer and the ones below it: a file written into an installed package stays that package's content even when a
 * later RUN removes the whole tree (its layer still ships), and a package.json that only a later layer adds does not
 * make an earlier file package content. With `fail`, package findings stay findings (their package named).
 */
export async function classifyInstalledPackages(secrets: ImageSecrets, archive: ScannedImage, mode: 'notice' | 'fail'): Promise<ImageSecrets> {
  const byLayer = new Map<number, ImageSecretFinding[]>()
  for (const finding of secrets.findings) {
    if (finding.source !== 'layer' || finding.layer === undefined || credentialFile(finding.where)) continue
    const list = byLayer.get(finding.layer - 1) ?? []
    list.push(finding)
    byLayer.set(finding.layer - 1, list)
  }
  const view = new RecordView()
  const packages = new Map<ImageSecretFinding, string>()
  for (const [index, layer] of [...archive.layers].sort((a, b) => a[0] - b[0])) {
    view.apply(layer.whiteouts, layer.records ?? [])
    const findings = byLayer.get(index)
    if (!findings) continue
    const packageIndex = new PackageIndex(view.io())
    for (const finding of findings) {
      const pkg = await packageIndex.lookup(relative(finding.where))
      if (pkg !== undefined) packages.set(finding, pkg)
    }
  }
  const findings: ImageSecretFinding[] = []
  const notices: ImageSecretFinding[] = []
  for (const finding of secrets.findings) {
    const pkg = packages.get(finding)
    const placed = pkg === undefined ? finding : { ...finding, package: pkg }
    if (pkg !== undefined && mode !== 'fail') notices.push(placed)
    else findings.push(placed)
  }
  return { ...secrets, findings, notices }
}
