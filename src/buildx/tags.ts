import { isValidTag } from '../grammar.js'
import { UserError } from '../errors.js'

/** Docker's tag grammar, quoted in errors so a user sees what a tag may hold. */
export const TAG_GRAMMAR = '[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}'

/**
 * The tag used when off a runner no commit is known (e.g. `npm start` outside a git checkout). A fixed word instead
 * of a timestamp on purpose: such a build is not a release, and `<release>-local` says so and is overwritten by the
 * next local build instead of piling up tags. Set `tag` to pin anything else.
 */
export const NO_COMMIT_SUFFIX = 'local'

/** `<release>-<short sha>`, e.g. `1.23.0-a1b2c3d`: a new tag per commit, so a rebuild never moves a tag in use. */
export function defaultTag(release: string, sha?: string): string {
  const short = sha && /^[0-9a-f]{7,64}$/i.test(sha) ? sha.slice(0, 7).toLowerCase() : undefined
  return `${release}-${short ?? NO_COMMIT_SUFFIX}`
}

export interface TagRequest {
  /** The validated `repository` input; empty when nothing is pushed (push: false without a repository). */
  repository: string
  /** The `tag` input; empty means the default tag. */
  tag: string
  'extra-tags': string[]
  release: string
  sha?: string
}

export interface ResolvedTags {
  /** The primary tag: the Admin Console's Sandbox Image Tag. */
  tag: string
  /** Every tag name, the primary first, without duplicates. */
  names: string[]
  /** `repository:tag` for each name; empty without a repository. */
  refs: string[]
}

/** Picks the primary tag, validates it and the extra tags against Docker's grammar, and forms the full references. */
export function resolveTags(request: TagRequest): ResolvedTags {
  const tag = request.tag || defaultTag(request.release, request.sha)
  checkTag(tag, request.tag ? 'tag' : 'the default tag')
  for (const extra of request['extra-tags']) checkTag(extra, 'extra-tags')
  const names = [...new Set([tag, ...request['extra-tags']])]
  const refs = request.repository ? names.map(name => `${request.repository}:${name}`) : []
  return { tag, names, refs }
}

function checkTag(tag: string, source: string): void {
  if (isValidTag(tag)) return
  const why = tag.length > 128 ? ` (${tag.length} characters)` : ''
  throw new UserError(
    `${source}: '${tag}' is not a valid Docker tag${why}. A tag matches ${TAG_GRAMMAR}: up to 128 letters, digits, ` +
      `'_', '.' and '-', not starting with '.' or '-'.`
  )
}
