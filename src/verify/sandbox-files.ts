/**
 * What the sandbox hides and what it locks, from the custom layers' entries (layer-scan.ts keeps those under
 * WATCHED_FOLDERS) as the final image has them: a later layer's entry replaces an earlier one, a whiteout deletes.
 *
 * - `/workspace` is the sandbox's own volume, mounted over the image's: files the layers put there are never seen
 *   (the empty folders a WORKDIR makes do not count: only non-folders are).
 * - The runtime user's HOME (from the image's /etc/passwd) and /tmp: what the layers add there that this user cannot
 *   write (a root RUN's caches, `pip install --user`, tool configs) breaks the agent's tools.
 *
 * Pure: tested by tables.
 */
import { WORKSPACE } from './boot.js'
import { WATCHED_FOLDERS, type LayerEntry } from './layer-scan.js'
import type { Whiteout } from './whiteout.js'

export interface SandboxUser {
  uid: number
  gid: number
  fsGroup: number
}

export interface PlacedPath {
  path: string
  /** 1-based layer number, and the instruction that made it (from history). */
  layer: number
  instruction: string
  uid: number
}

export interface SandboxFiles {
  uid: number
  /** The runtime user's HOME; undefined when /etc/passwd has no entry for the uid (HOME is then /), or could not be read. */
  home?: string
  passwd: 'found' | 'no-entry' | 'unknown'
  /** Non-folders under /workspace: the first paths (sorted), and how many in all. */
  workspace?: { count: number; first: PlacedPath[] }
  /** Under HOME or /tmp, not writable by the runtime user: the first paths, and how many in all. */
  unwritable?: { count: number; first: PlacedPath[] }
}

export interface SandboxFilesInput {
  /** The custom layers by index into rootfs.diff_ids. */
  layers: ReadonlyMap<number, { entries?: readonly LayerEntry[]; whiteouts: readonly Whiteout[] }>
  /** The instruction of each layer (layerInstructions). */
  instructions: readonly string[]
  /** The image's /etc/passwd (the last layer that has one); undefined when it could not be read. */
  passwd?: string
  user: SandboxUser
}

/** Paths listed by name; the rest are counted. */
export const FIRST_PATHS = 5

export function sandboxFiles(input: SandboxFilesInput): SandboxFiles {
  const visible = finalEntries(input.layers)
  const place = (path: string, at: { entry: LayerEntry; layer: number }): PlacedPath => ({
    path,
    layer: at.layer + 1,
    instruction: input.instructions[at.layer] ?? '(unknown)',
    uid: at.entry.uid
  })
  const { uid } = input.user
  const home = input.passwd === undefined ? undefined : homeOf(input.passwd, uid)
  const result: SandboxFiles = {
    uid,
    passwd: input.passwd === undefined ? 'unknown' : home === undefined ? 'no-entry' : 'found',
    ...(home === undefined ? {} : { home })
  }
  const sorted = [...visible].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const hidden = sorted.filter(([path, at]) => under(path, WORKSPACE) && at.entry.kind !== 'dir')
  if (hidden.length > 0) result.workspace = { count: hidden.length, first: hidden.slice(0, FIRST_PATHS).map(([path, at]) => place(path, at)) }
  // The user's own folders: HOME when known (/ is everything, so not that), and /tmp.
  const folders = ['/tmp', ...(home !== undefined && home !== '/' ? [home] : [])]
  const locked = sorted.filter(([path, at]) => folders.some(folder => under(path, folder)) && !under(path, WORKSPACE) && !writable(at.entry, input.user))
  if (locked.length > 0) result.unwritable = { count: locked.length, first: locked.slice(0, FIRST_PATHS).map(([path, at]) => place(path, at)) }
  return result
}

/** The entries the final image shows, each with the layer that last wrote it. */
function finalEntries(layers: SandboxFilesInput['layers']): Map<string, { entry: LayerEntry; layer: number }> {
  const visible = new Map<string, { entry: LayerEntry; layer: number }>()
  for (const [index, layer] of [...layers].sort((a, b) => a[0] - b[0])) {
    // A layer's whiteouts delete what the layers below it put there, never its own entries.
    for (const whiteout of layer.whiteouts) {
      const gone = whiteout.kind === 'file' ? whiteout.path : whiteout.dir
      if (!WATCHED_FOLDERS.some(folder => gone === folder || under(gone, folder) || under(folder, gone))) continue
      for (const path of visible.keys()) {
        if ((whiteout.kind === 'file' && path === gone) || under(path, gone)) visible.delete(path)
      }
    }
    for (const entry of layer.entries ?? []) visible.set(entry.path, { entry, layer: index })
  }
  return visible
}

/** The user may write it: owner with u+w, a group of theirs with g+w, or o+w. Links are their target's business. */
export function writable(entry: LayerEntry, user: SandboxUser): boolean {
  if (entry.kind === 'link' || user.uid === 0) return true
  if (entry.uid === user.uid) return (entry.mode & 0o200) !== 0
  if (entry.gid === user.gid || entry.gid === user.fsGroup) return (entry.mode & 0o020) !== 0
  return (entry.mode & 0o002) !== 0
}

/** HOME of `uid` in passwd text (`name:x:uid:gid:gecos:home:shell`); undefined when no line has that uid. */
export function homeOf(passwd: string, uid: number): string | undefined {
  for (const line of passwd.split(/\r?\n/)) {
    const fields = line.split(':')
    if (fields.length >= 6 && fields[2] === String(uid)) return (fields[5] ?? '').replace(/\/+$/, '') || '/'
  }
  return undefined
}

function under(path: string, folder: string): boolean {
  return folder === '/' ? path !== '/' : path.startsWith(`${folder}/`)
}

/** The error for files under /workspace: where, how many, which instruction, and the fix. Pure. */
export function workspaceMessage(workspace: NonNullable<SandboxFiles['workspace']>): string {
  const first = workspace.first[0]
  const made = first ? `, added by ${first.instruction} (layer ${first.layer})` : ''
  return (
    `The image has ${workspace.count} file(s) under ${WORKSPACE} (${shownPaths(workspace.first, workspace.count)})${made}. ` +
    `In OHE ${WORKSPACE} is the sandbox's own volume, mounted over the image's, so the sandbox starts with an empty ${WORKSPACE} and never sees them. ` +
    `Bake them under e.g. /opt/<name>-seed instead, and link or copy them into ${WORKSPACE} in a prepare-* helper that runs in the sandbox.`
  )
}

/** The warning for paths the runtime user cannot write under HOME or /tmp. Pure. */
export function unwritableMessage(unwritable: NonNullable<SandboxFiles['unwritable']>, files: SandboxFiles, user: SandboxUser): string {
  const owners = [...new Set(unwritable.first.map(path => path.uid))].map(uid => `uid ${uid}`).join(', ')
  const first = unwritable.first[0]
  const made = first ? `, made by ${first.instruction} (layer ${first.layer})` : ''
  return (
    `${unwritable.count} path(s) under ${files.home ? `HOME ${files.home} or ` : ''}/tmp are not writable by the sandbox's user ${user.uid}:${user.gid} ` +
    `(${shownPaths(unwritable.first, unwritable.count)}; owned by ${owners})${made}. The agent's tools fail to write there. ` +
    `Typical causes: pip install --user, npm config or tool caches written by a RUN as root. Run that step as USER openhands, or chown -R ${user.uid}:${user.gid} the path in the same RUN.`
  )
}

/** The warning for a runtime uid without a passwd entry. Pure. */
export function noPasswdMessage(user: SandboxUser): string {
  return (
    `The image's /etc/passwd has no entry for the sandbox's uid ${user.uid}, so its HOME is / and tools that write to ~ fail. ` +
    "Keep the base image's openhands user (uid 10001), or add an entry for this uid with a writable home."
  )
}

function shownPaths(first: readonly PlacedPath[], count: number): string {
  const more = count > first.length ? ` and ${count - first.length} more` : ''
  return `${first.map(path => path.path).join(', ')}${more}`
}
