// The build-context secret scan: every file docker would send (and the Dockerfile), read in parallel with
// bounded memory, checked by the rules in detectors.ts, suppressed as described in suppress.ts. Secret values
// stay inside this module: results carry only a redacted hint and a slow-hashed fingerprint.

import fs, { constants, type Dirent, type Stats } from 'node:fs'
import { basename, dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path'
import { UserError } from '../errors.js'
import { credentialKind, isDotenv } from './credential-files.js'
import { DockerIgnore } from './dockerignore.js'
import { BUFFER_SIZE, scanFile, SNIFF, type FileKind, type FileScan, type RawFinding } from './engine.js'
import { ruleDescription, ruleRevokeLink } from './rules.js'
import { PackageIndex, isCredentialFileName, type PackageIo } from './packages.js'
import { openScanPool, type ScanPool } from './scan-pool.js'
import { scanPooled, type PooledScan } from './pooled-file.js'
import { ScannedClean, digester } from './scanned-clean.js'
import { loadIgnoreFile } from './suppress.js'
import { fingerprintOf, redactHint } from './values.js'
import { errorCode, walkContext, type EntryKind, type FsPath, type WalkIo } from './walk.js'

export interface ScanOptions {
  /** Absolute build context directory. */
  context: string
  /** Absolute Dockerfile path (may be outside the context; it is scanned too). */
  dockerfile: string
  /** Absolute path of a fingerprint ignore file; a missing file means none. */
  ignoreFile?: string
  /** Extra .dockerignore-style patterns (relative to the context) whose files are not scanned. */
  excludePaths?: string[]
  /**
   * Findings inside installed third-party packages (node_modules/<pkg>, site-packages, vendor/): `notice` (the
   * default) reports them in `notices` and never fails; `fail` reports them as findings. Credential files are
   * findings either way.
   */
  installedPackages?: 'notice' | 'fail'
  /** Keep the digests of the text files found clean (`clean`), for the image's layer scan to hash instead of scan. */
  remember?: boolean
}

export interface SecretFinding {
  rule: string
  description: string
  /** Relative to the context, '/'-separated; the Dockerfile's absolute path when it is outside the context. */
  file: string
  line: number
  column: number
  /** Redacted: the first 4 characters and the length, e.g. `ghp_… (40 chars)`. Never the value. */
  hint: string
  /** `<file>:<rule>:<16 hex>`, stable when lines move; what the ignore file lists. */
  fingerprint: string
  /** `name@version` of the installed third-party package the file belongs to, when it does. */
  package?: string
  /** The provider's page for revoking or rotating the credential, when its rule names one. */
  revoke?: string
}

export interface ScanResult {
  findings: SecretFinding[]
  filesScanned: number
  bytesScanned: number
  skipped: Array<{ file: string; reason: string }>
  /** Files or folders that could not be read, named. */
  warnings: string[]
  /** Findings left out by an allow comment or the ignore file (always set by scanContext; optional for callers' fakes). */
  suppressed?: number
  /** Findings in installed third-party packages, reported as notices and never failing (scan-installed-packages: notice). */
  notices?: SecretFinding[]
  /** Documented example values and values on comment lines that call themselves examples: counted, not reported. */
  examples?: number
  /** With `remember`: the files found clean, by kind, size and digest. */
  clean?: ScannedClean
}

/** The file system calls the scan makes; tests replace some to simulate failures that root cannot cause. */
export interface ScanIo extends WalkIo {
  open(path: FsPath): number
  read(fd: number, buf: Buffer, offset: number, length: number, position: number): number
  close(fd: number): void
}

const callback =
  <T>(resolvePromise: (value: T) => void, reject: (error: unknown) => void) =>
  (error: NodeJS.ErrnoException | null, value: T): void => {
    if (error) reject(error)
    else resolvePromise(value)
  }

// Directories are listed asynchronously (in the thread pool, while the main thread scans files); files are read
// with synchronous calls. Measured on the benchmark tree (1.1 GB, 86k files, page-cached, 2 cores): reading all
// files took 0.6-0.9 s with sync calls and 1.6-4 s with async ones at any concurrency from 4 to 128, because each
// async call costs a thread-pool round trip that is dearer than the read itself. The scan yields to the event
// loop every few milliseconds so that timers and other I/O of the action still run.
export const nodeIo: ScanIo = {
  readdir: path => new Promise<Array<Dirent<Buffer>>>((ok, fail) => fs.readdir(path, { withFileTypes: true, encoding: 'buffer' }, callback(ok, fail))),
  lstatKind: path => new Promise<Stats>((ok, fail) => fs.lstat(path, callback(ok, fail))).then(statKind),
  realpath: path => new Promise<string>((ok, fail) => fs.realpath(path, callback(ok, fail))),
  // O_NONBLOCK: a FIFO swapped in after the walk looked cannot block the scan; O_NOFOLLOW: nor can a link.
  open: path => fs.openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK),
  read: (fd, buf, offset, length, position) => fs.readSync(fd, buf, offset, length, position),
  close: fd => fs.closeSync(fd)
}

function statKind(s: Stats): EntryKind {
  if (s.isFile()) return 'file'
  if (s.isDirectory()) return 'directory'
  if (s.isSymbolicLink()) return 'symlink'
  if (s.isFIFO()) return 'fifo'
  if (s.isSocket()) return 'socket'
  if (s.isBlockDevice()) return 'block device'
  if (s.isCharacterDevice()) return 'character device'
  return 'other'
}

/** Directory listings in flight at once. */
const CONCURRENCY = 8
/** Longest stretch of synchronous scanning before the event loop gets a turn. */
const YIELD_MS = 20

const CODE_EXTENSIONS = new Set(
  '.js .mjs .cjs .jsx .ts .tsx .mts .cts .py .rb .go .java .kt .kts .scala .cs .php .rs .swift .c .h .cc .cpp .hpp .m .lua .pl .dart .vue .svelte .groovy .coffee .map'.split(
    ' '
  )
)

export function fileKind(name: string, parent: string, dockerfile: boolean): FileKind {
  return {
    credential: credentialKind(name, parent),
    dotenv: isDotenv(name),
    codeFile: CODE_EXTENSIONS.has(extname(name).toLowerCase()),
    dockerfile
  }
}

export async function scanContext(options: ScanOptions): Promise<ScanResult> {
  // The engine runs on worker threads while this thread walks and reads, when the bundle has them.
  const pool = openScanPool()
  try {
    return await scanContextWith(options, nodeIo, pool)
  } finally {
    await pool?.close()
  }
}

/** Files up to this size are read whole and scanned on the pool; bigger ones here, a chunk at a time. */
const POOLED_MAX = 4 << 20

export async function scanContextWith(options: ScanOptions, io: ScanIo, pool?: ScanPool): Promise<ScanResult> {
  const context = await realDirectory(options.context, io)
  const dockerfileDir = await io.realpath(dirname(resolve(options.dockerfile))).catch(() => {
    throw new UserError(`Dockerfile '${options.dockerfile}' not found. Expected a file; set 'file' to its path.`, options.dockerfile)
  })
  const dockerfileReal = `${dockerfileDir}${sep}${basename(options.dockerfile)}`
  const dockerfileRel = relative(context, dockerfileReal)
  const dockerfileInside = dockerfileRel !== '' && !dockerfileRel.startsWith('..') && !isAbsolute(dockerfileRel)
  // Relative even outside the context (`../docker/Dockerfile`): fingerprints must match on every runner.
  const dockerfileDisplay = dockerfileInside || !isAbsolute(dockerfileRel) ? dockerfileRel.split(sep).join('/') : dockerfileReal

  const dockerignore = DockerIgnore.parse(await readDockerignore(options.dockerfile, context))
  const exclude = new DockerIgnore(options.excludePaths ?? [])
  const ignored = await loadIgnoreFile(options.ignoreFile)
  // The ignore file holds only fingerprints (`file:rule:hex`), which look like `key: random` to the generic rule.
  let ignoreFileRel: string | undefined
  if (options.ignoreFile !== undefined) {
    const dir = dirname(resolve(options.ignoreFile))
    const realDir = await io.realpath(dir).catch(() => dir)
    ignoreFileRel = relative(context, `${realDir}${sep}${basename(options.ignoreFile)}`)
      .split(sep)
      .join('/')
  }

  const raw: Array<{ file: string; finding: RawFinding; credential: boolean }> = []
  const result: ScanResult = { findings: [], filesScanned: 0, bytesScanned: 0, skipped: [], warnings: [], suppressed: 0, notices: [], examples: 0 }
  const packages = new PackageIndex(packageIo(context, io))
  const buf = Buffer.allocUnsafe(BUFFER_SIZE)
  const clean = options.remember ? new ScannedClean() : undefined
  const whole = pool || clean ? Buffer.allocUnsafe(POOLED_MAX) : undefined
  const pooled: Array<Promise<void>> = []
  let lastYield = performance.now()

  const record = (display: string, kind: FileKind, scan: FileScan): void => {
    result.bytesScanned += scan.bytes
    if (scan.binary) {
      result.skipped.push({ file: display, reason: 'binary (NUL byte in the first 8000 bytes)' })
      return
    }
    result.filesScanned++
    const credential = kind.credential !== undefined || kind.dotenv || isCredentialFileName(basename(display))
    for (const finding of scan.findings) raw.push({ file: display, finding, credential })
  }

  const scanOne = async (path: FsPath, display: string, kind: FileKind): Promise<void> => {
    if (performance.now() - lastYield > YIELD_MS) {
      await new Promise<void>(ok => setImmediate(ok))
      lastYield = performance.now()
    }
    let fd: number
    try {
      fd = io.open(path)
    } catch (error) {
      const code = errorCode(error)
      if (code === 'ELOOP') result.skipped.push({ file: display, reason: 'symlink, not followed' })
      else result.warnings.push(`Could not read ${display}: ${code}; it was not scanned`)
      return
    }
    try {
      // Reads are synchronous, so one buffer serves every file; a short read ends the file.
      const read = (b: Buffer, o: number, l: number, p: number): number => io.read(fd, b, o, l, p)
      const size = whole ? readWhole(read, whole, kind.credential === undefined) : undefined
      if (whole && size !== undefined) {
        const extras = { digest: clean !== undefined }
        const done = (scan: PooledScan): void => {
          record(display, kind, scan)
          if (scan.digest !== undefined) clean?.add(kind, size, scan.digest)
        }
        if (pool) {
          // The pool copies the bytes: the buffer is free for the next file at once.
          const scanned = pool.scan([whole.subarray(0, size)], size, kind, extras).then(done)
          // Handled here, failed below: a worker's failure must not be an unhandled rejection while the walk goes on.
          scanned.catch(() => undefined)
          pooled.push(scanned)
          const ready = pool.ready()
          if (ready) await ready
        } else {
          done(scanPooled([whole.subarray(0, size)], size, { kind, ...extras }, buf))
        }
      } else {
        // A bigger file is scanned a chunk at a time, in order: its digest is taken as the chunks go by.
        const digest = clean ? digester() : undefined
        const hashed = (b: Buffer, o: number, l: number, p: number): number => {
          const got = read(b, o, l, p)
          digest?.update(b.subarray(o, o + got))
          return got
        }
        const scan = scanFile(digest ? hashed : read, buf, Infinity, kind)
        record(display, kind, scan)
        if (digest && !scan.binary && scan.findings.length === 0) clean?.add(kind, scan.bytes, digest.end())
      }
    } catch (error) {
      const code = errorCode(error)
      if (code === 'EISDIR' || code === 'EAGAIN') result.skipped.push({ file: display, reason: 'not a regular file' })
      else result.warnings.push(`Could not read ${display}: ${code}; it was not fully scanned`)
    } finally {
      io.close(fd)
    }
  }

  // The Dockerfile is read through its links (docker does); context files never are.
  const dockerfileTarget = await io.realpath(resolve(options.dockerfile)).catch(() => {
    throw new UserError(`Dockerfile '${options.dockerfile}' not found. Expected a file; set 'file' to its path.`, options.dockerfile)
  })
  await scanOne(dockerfileTarget, dockerfileDisplay, fileKind(basename(options.dockerfile), '', true))
  await walkContext({
    root: context,
    dockerignore,
    exclude,
    io,
    concurrency: CONCURRENCY,
    onFile: entry =>
      (entry.rel === dockerfileDisplay && dockerfileInside) || entry.rel === ignoreFileRel
        ? Promise.resolve()
        : scanOne(entry.path, entry.rel, fileKind(entry.name, entry.parent, false)),
    onSkip: (file, reason) => result.skipped.push({ file, reason }),
    onWarning: message => result.warnings.push(message)
  })
  pool?.flush()
  await Promise.all(pooled)

  for (const { file, finding, credential } of raw) {
    if (finding.example === true) {
      result.examples = (result.examples ?? 0) + 1
      continue
    }
    const fingerprint = fingerprintOf(file, finding.rule, finding.value)
    if (finding.allowed || ignored.has(fingerprint)) {
      result.suppressed = (result.suppressed ?? 0) + 1
      continue
    }
    const secret: SecretFinding = {
      rule: finding.rule,
      description: ruleDescription(finding.rule),
      file,
      line: finding.line,
      column: finding.column,
      hint: redactHint(finding.value),
      fingerprint
    }
    const revoke = ruleRevokeLink(finding.rule)
    if (revoke !== undefined) secret.revoke = revoke
    const pkg = credential || file === dockerfileDisplay ? undefined : await packages.lookup(file)
    if (pkg !== undefined) secret.package = pkg
    if (pkg !== undefined && options.installedPackages !== 'fail') result.notices?.push(secret)
    else result.findings.push(secret)
  }
  const order = (a: SecretFinding, b: SecretFinding): number => compare(a.file, b.file) || a.line - b.line || a.column - b.column || compare(a.rule, b.rule)
  result.notices?.sort(order)
  result.findings.sort((a, b) => compare(a.file, b.file) || a.line - b.line || a.column - b.column || compare(a.rule, b.rule))
  result.skipped.sort((a, b) => compare(a.file, b.file))
  result.warnings.sort(compare)
  if (clean) result.clean = clean
  return result
}

/** The first read of a file for the pool: enough to tell a binary, small enough not to read a big one whole. */
const FIRST_READ = 64 * 1024

/**
 * The whole file when it fits in `into` (a short read ends it, as in scanFile). Undefined when it does not fit, and
 * for a binary (a NUL in its first SNIFF bytes, when `sniff`), which scanFile then stops reading after its first chunk.
 */
function readWhole(read: (b: Buffer, o: number, l: number, p: number) => number, into: Buffer, sniff: boolean): number | undefined {
  let size = 0
  while (size < into.length) {
    const wanted = Math.min(into.length - size, size === 0 ? FIRST_READ : into.length)
    const got = read(into, size, wanted, size)
    size += got
    if (size === got && sniff && into.subarray(0, Math.min(size, SNIFF)).includes(0)) return undefined
    if (got < wanted) return size
  }
  return undefined
}

/** Package records read through the scan's own io (at most 1 MB each), relative to the context. */
function packageIo(context: string, io: ScanIo): PackageIo {
  const buf = Buffer.allocUnsafe(1 << 20)
  return {
    readText: rel => {
      let fd: number
      try {
        fd = io.open(`${context}/${rel}`)
      } catch {
        return Promise.resolve(undefined)
      }
      try {
        let n = 0
        for (;;) {
          const got = io.read(fd, buf, n, buf.length - n, n)
          if (got <= 0) break
          n += got
          if (n >= buf.length) break
        }
        return Promise.resolve(buf.toString('utf8', 0, n))
      } catch {
        return Promise.resolve(undefined)
      } finally {
        io.close(fd)
      }
    },
    list: rel =>
      io.readdir(`${context}/${rel}`).then(
        entries => entries.map(e => e.name.toString('utf8')),
        () => []
      )
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

async function realDirectory(path: string, io: ScanIo): Promise<string> {
  let real: string
  try {
    real = await io.realpath(resolve(path))
  } catch {
    throw new UserError(`Build context '${path}' not found. Expected a directory; set 'context' to it.`)
  }
  const kind = await io.lstatKind(real)
  if (kind !== 'directory') throw new UserError(`Build context '${path}' is not a directory. Expected a directory; set 'context' to it.`)
  return real
}

/** BuildKit's choice: `<Dockerfile>.dockerignore` beside the Dockerfile wins over `<context>/.dockerignore`. */
export async function readDockerignore(dockerfile: string, context: string): Promise<string> {
  for (const candidate of [`${resolve(dockerfile)}.dockerignore`, `${context}/.dockerignore`]) {
    try {
      return await fs.promises.readFile(candidate, 'utf8')
    } catch (error) {
      if (errorCode(error) !== 'ENOENT' && errorCode(error) !== 'ENOTDIR') throw new UserError(`Could not read ${candidate}: ${errorCode(error)}`)
    }
  }
  return ''
}
