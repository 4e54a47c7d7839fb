// Walks exactly the files `docker buildx build` sends as the context: .dockerignore applied as BuildKit does,
// symlinks sent as links (never followed, so a link cannot pull in a file from outside and loops cannot occur),
// FIFOs, sockets and devices skipped without opening them. Names are read as bytes so that a file name that is
// not UTF-8 is still opened and reported (invalid bytes shown as `\xNN`).

import { isUtf8 } from 'node:buffer'
import type { Dirent } from 'node:fs'
import { DockerIgnore } from './dockerignore.js'

export type FsPath = string | Buffer

export interface WalkIo {
  readdir(path: FsPath): Promise<Array<Dirent<Buffer>>>
  lstatKind(path: FsPath): Promise<EntryKind>
  realpath(path: FsPath): Promise<string>
}

export type EntryKind = 'file' | 'directory' | 'symlink' | 'fifo' | 'socket' | 'block device' | 'character device' | 'other'

export interface WalkEntry {
  path: FsPath
  /** '/'-separated path relative to the context, invalid UTF-8 bytes as `\xNN`. */
  rel: string
  name: string
  parent: string
}

export interface WalkOptions {
  root: string
  dockerignore: DockerIgnore
  exclude: DockerIgnore
  io: WalkIo
  /** Called for each file to scan; the walk waits for it only through the shared task pool. */
  onFile(entry: WalkEntry): Promise<void>
  onSkip(rel: string, reason: string): void
  onWarning(message: string): void
  concurrency: number
}

interface DirTask {
  path: FsPath
  rel: string
  dockerBits: boolean[] | undefined
  excludeBits: boolean[] | undefined
}

const SLASH = Buffer.from('/')

export function displayName(name: Buffer): string {
  if (isUtf8(name)) return name.toString('utf8')
  let out = ''
  let i = 0
  while (i < name.length) {
    const b = name[i]!
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0
    if (len > 0 && i + len <= name.length && isUtf8(name.subarray(i, i + len))) {
      out += name.toString('utf8', i, i + len)
      i += len
    } else {
      out += `\\x${b.toString(16).padStart(2, '0')}`
      i++
    }
  }
  return out
}

function join(parent: FsPath, name: Buffer, utf8: boolean): FsPath {
  if (typeof parent === 'string' && utf8) return parent.endsWith('/') ? parent + name.toString('utf8') : `${parent}/${name.toString('utf8')}`
  const p = typeof parent === 'string' ? Buffer.from(parent) : parent
  return Buffer.concat([p, SLASH, name])
}

function kindOf(d: Dirent<Buffer>): EntryKind | undefined {
  if (d.isFile()) return 'file'
  if (d.isDirectory()) return 'directory'
  if (d.isSymbolicLink()) return 'symlink'
  if (d.isFIFO()) return 'fifo'
  if (d.isSocket()) return 'socket'
  if (d.isBlockDevice()) return 'block device'
  if (d.isCharacterDevice()) return 'character device'
  return undefined // unknown to readdir: ask lstat
}

/** Runs the walk and the per-file work through one pool of `concurrency` tasks; resolves when all are done. */
export function walkContext(options: WalkOptions): Promise<void> {
  const { io, dockerignore, exclude, root } = options
  const stack: Array<() => Promise<void>> = []
  let active = 0
  let done: () => void = () => undefined
  const finished = new Promise<void>(resolve => {
    done = resolve
  })

  const pump = (): void => {
    while (active < options.concurrency && stack.length > 0) {
      const task = stack.pop()!
      active++
      task()
        .catch((error: unknown) => options.onWarning(`Part of the build context could not be listed (${errorCode(error)}), so it was not scanned.`))
        .finally(() => {
          active--
          pump()
          if (active === 0 && stack.length === 0) done()
        })
    }
  }

  const visitDir = async (dir: DirTask): Promise<void> => {
    let entries: Array<Dirent<Buffer>>
    try {
      entries = await io.readdir(dir.path)
    } catch (error) {
      options.onWarning(`Could not list ${dir.rel === '' ? '.' : dir.rel}: ${errorCode(error)}; its files were not scanned`)
      return
    }
    for (const entry of entries) {
      const utf8 = isUtf8(entry.name)
      const name = utf8 ? entry.name.toString('utf8') : displayName(entry.name)
      const rel = dir.rel === '' ? name : `${dir.rel}/${name}`
      const path = join(dir.path, entry.name, utf8)
      let kind = kindOf(entry)
      if (kind === undefined) {
        try {
          kind = await io.lstatKind(path)
        } catch (error) {
          options.onWarning(`Could not read ${rel}: ${errorCode(error)}; it was not scanned`)
          continue
        }
      }
      const docker = dockerignore.empty ? undefined : dockerignore.match(rel, dir.dockerBits)
      const user = exclude.empty ? undefined : exclude.match(rel, dir.excludeBits)
      if (kind === 'directory') {
        if (docker?.excluded === true && !dockerignore.mayReinclude(rel)) continue
        if (user?.excluded === true && !exclude.mayReinclude(rel)) continue
        const task: DirTask = { path, rel, dockerBits: docker?.bits, excludeBits: user?.bits }
        stack.push(() => visitDir(task))
        continue
      }
      if (docker?.excluded === true || user?.excluded === true) continue
      if (kind === 'file') {
        const walkEntry: WalkEntry = { path, rel, name, parent: dir.rel.slice(dir.rel.lastIndexOf('/') + 1) }
        stack.push(() => options.onFile(walkEntry))
      } else if (kind === 'symlink') {
        stack.push(() => checkLink(path, rel))
      } else {
        options.onSkip(rel, `${kind}: not a regular file`)
      }
    }
  }

  // Docker sends a link as a link. Its target is scanned on its own when it is in the context; one that points
  // outside is named so that nobody expects its content in the image.
  const checkLink = async (path: FsPath, rel: string): Promise<void> => {
    let target: string
    try {
      target = await io.realpath(path)
    } catch (error) {
      if (errorCode(error) === 'ELOOP') options.onSkip(rel, 'symlink loop, not followed')
      return
    }
    if (target !== root && !target.startsWith(root.endsWith('/') ? root : `${root}/`)) {
      options.onSkip(rel, 'symlink to outside the context, not followed')
    }
  }

  stack.push(() => visitDir({ path: root, rel: '', dockerBits: undefined, excludeBits: undefined }))
  pump()
  return finished
}

/** The errno code of a failed fs call (duck-typed: errors from another realm, as under jest, fail instanceof). */
export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    if ('code' in error && typeof error.code === 'string') return error.code
    if ('message' in error && typeof error.message === 'string') return error.message
  }
  return String(error)
}
