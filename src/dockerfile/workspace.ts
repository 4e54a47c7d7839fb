import type { Finding } from '../findings.js'
import type { StageInfo } from './stages.js'
import { expand, walkChain, type ChainScope } from './chain-walk.js'
import { trimSpace } from './text.js'
import { extractFlags, isJsonStringArray, splitQuotedWords } from './words.js'

const WORKSPACE = '/workspace'

/**
 * In OHE `/workspace` is the sandbox's own volume, mounted over the image's: a COPY or ADD into it is never seen in
 * the sandbox, and a VOLUME at or above it makes it a volume of the image as well. Both are errors on their line
 * before anything is built. A WORKDIR there is fine (the runtime sets its own). Relative destinations resolve
 * against the WORKDIR the chain set; with none set they depend on the base's and are left to the built image's
 * check. Variables in paths are expanded with the stage's ARG and ENV values, as BuildKit does.
 */
export function workspaceFindings(chain: StageInfo[], escape: string, file: string, scope: ChainScope): Finding[] {
  const findings: Finding[] = []
  let workdir: string | undefined
  walkChain(chain, escape, scope, (instruction, variables) => {
    const keyword = instruction.keyword
    if (keyword === 'WORKDIR') {
      const dir = expand(trimSpace(instruction.args), variables(), escape)
      workdir = dir.startsWith('/') ? normalize(dir) : workdir === undefined ? undefined : normalize(`${workdir}/${dir}`)
    } else if (keyword === 'COPY' || keyword === 'ADD') {
      const destination = lastPath(extractFlags(instruction.args).rest, escape)
      if (destination === undefined) return
      const expanded = expand(destination, variables(), escape)
      const target = expanded.startsWith('/') ? expanded : workdir === undefined ? undefined : `${workdir}/${expanded}`
      if (target === undefined || !inWorkspace(normalize(target))) return
      findings.push({
        check: 'workspace',
        severity: 'error',
        file,
        line: instruction.line,
        message:
          `${keyword} into ${normalize(target)}${expanded.startsWith('/') ? '' : ` (${expanded} in WORKDIR ${workdir ?? ''})`}: in OHE ${WORKSPACE} is the sandbox's own volume, ` +
          `mounted over the image's, so the sandbox starts with an empty ${WORKSPACE} and never sees these files. ` +
          `Copy them under e.g. /opt/<name>-seed instead, and link or copy them into ${WORKSPACE} in a prepare-* helper that runs in the sandbox.`
      })
    } else if (keyword === 'VOLUME') {
      for (const volume of volumePaths(instruction.args, escape)) {
        const path = normalize(expand(volume, variables(), escape))
        if (path !== WORKSPACE && !WORKSPACE.startsWith(path === '/' ? '/' : `${path}/`)) continue
        findings.push({
          check: 'workspace',
          severity: 'error',
          file,
          line: instruction.line,
          message:
            `VOLUME ${path} covers ${WORKSPACE}, which OHE mounts the sandbox's own volume on. Remove it: the runtime provides ${WORKSPACE}, ` +
            'and a VOLUME only makes Docker runs of the image differ from OHE.'
        })
      }
    }
  })
  return findings
}

function inWorkspace(path: string): boolean {
  return path === WORKSPACE || path.startsWith(`${WORKSPACE}/`)
}

/** `/a//b/./c/../d/` -> `/a/b/d`. */
function normalize(path: string): string {
  const parts: string[] = []
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') parts.pop()
    else parts.push(part)
  }
  return `/${parts.join('/')}`
}

/** The destination of COPY/ADD: the last word (or JSON element); undefined for a lone word. */
function lastPath(rest: string, escape: string): string | undefined {
  const text = trimSpace(rest)
  if (isJsonStringArray(text)) {
    try {
      const words = JSON.parse(text) as string[]
      return words.length >= 2 ? words.at(-1) : undefined
    } catch {
      return undefined
    }
  }
  const words = splitQuotedWords(text.split('\n')[0] ?? '', escape)
  return words.length >= 2 ? words.at(-1) : undefined
}

function volumePaths(args: string, escape: string): string[] {
  const text = trimSpace(args)
  if (isJsonStringArray(text)) {
    try {
      return JSON.parse(text) as string[]
    } catch {
      return []
    }
  }
  return splitQuotedWords(text, escape)
}
