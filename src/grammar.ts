/**
 * The grammar of what the action reads and writes, in one place: release versions, tags, digests, and Docker image
 * references as github.com/distribution/reference reads them (ParseNormalizedNamed). Pure.
 *
 * reference  := name [ ":" tag ] [ "@" digest ]
 * name       := [ domain "/" ] path-component [ "/" path-component ]*
 * domain     := host [ ":" port ]      host := domain-name | "[" IPv6 "]"
 */

export interface ImageReference {
  /** Lower-cased host[:port]; `docker.io` when the name has none (and for index.docker.io, registry-1.docker.io). */
  registry: string
  /** The path; `library/` is added to one-component Docker Hub names, as Docker does. */
  repository: string
  tag?: string
  /** `sha256:<64 hex>` (sha384/sha512 are accepted too, as go-digest does). */
  digest?: string
}

const DOCKER_HUB = 'docker.io'
const DOCKER_HUB_ALIASES = new Set(['index.docker.io', 'registry-1.docker.io'])
/** Every name Docker Hub's registry goes by. */
export const DOCKER_HUB_NAMES: ReadonlySet<string> = new Set([DOCKER_HUB, ...DOCKER_HUB_ALIASES])
/** distribution/reference's NameTotalLengthMax. */
const NAME_MAX = 255
/** Name, tag and the longest digest together stay far below this; longer text is rejected before any regex runs. */
const TEXT_MAX = 1024

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
/** A whole repository path of lower-case components, e.g. openhands/agent-server (what the registry client sends). */
export const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/
/** A registry host[:port] as the registry client accepts it, an IPv6 literal in brackets allowed. */
export const HOST = /^(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?::\d{1,5})?$/
const DOMAIN_COMPONENT = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/
const IPV6_HOST = /^\[[a-fA-F0-9:]+\]$/
const PORT = /^[0-9]+$/
export const TAG = /^\w[\w.-]{0,127}$/
/** go-digest validates the encoded part per algorithm: lower-case hex of the algorithm's exact length. */
export const DIGEST = /^(?:sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/
/** A bare image ID is refused as a name ("cannot specify 64-byte hexadecimal strings"). */
const IMAGE_ID = /^[a-f0-9]{64}$/

export function isValidTag(tag: string): boolean {
  return TAG.test(tag)
}

/** Any digest go-digest accepts (sha256, sha384, sha512). */
export function isDigest(text: string): boolean {
  return DIGEST.test(text)
}

/** The digests buildx and registries write for images: sha256 only. */
export function isSha256Digest(text: string): boolean {
  return SHA256_DIGEST.test(text)
}

const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/

/** A release version: three plain numeric parts; no `v`, pre-release or build metadata (agent-server tags use none). */
export const RELEASE_VERSION = /^\d+\.\d+\.\d+$/

export interface Version {
  text: string
  major: number
  minor: number
  patch: number
}

export function parseVersion(text: string): Version | undefined {
  if (!RELEASE_VERSION.test(text)) return undefined
  const [major, minor, patch] = text.split('.').map(Number) as [number, number, number]
  return { text, major, minor, patch }
}

/** How a base tag's version must match the release: `exact`, or the same major.minor. */
export type MatchMode = 'exact' | 'minor'

/** Parses a reference with Docker's defaults applied; undefined when Docker would reject it. */
export function parseImageReference(text: string): ImageReference | undefined {
  if (text.length === 0 || text.length > TEXT_MAX || IMAGE_ID.test(text)) return undefined
  const { domain, remainder } = splitDomain(text)
  if (domain !== undefined && !isValidDomain(domain)) return undefined

  const at = remainder.indexOf('@')
  const nameAndTag = at === -1 ? remainder : remainder.slice(0, at)
  const digest = at === -1 ? undefined : remainder.slice(at + 1)
  if (digest !== undefined && !DIGEST.test(digest)) return undefined

  // The remainder holds no domain, so its only ':' separates the tag.
  const colon = nameAndTag.indexOf(':')
  const path = colon === -1 ? nameAndTag : nameAndTag.slice(0, colon)
  const tag = colon === -1 ? undefined : nameAndTag.slice(colon + 1)
  if (tag !== undefined && !isValidTag(tag)) return undefined
  if (!path.split('/').every(component => PATH_COMPONENT.test(component))) return undefined

  let registry = (domain ?? DOCKER_HUB).toLowerCase()
  if (DOCKER_HUB_ALIASES.has(registry)) registry = DOCKER_HUB
  const repository = registry === DOCKER_HUB && !path.includes('/') ? `library/${path}` : path
  // Docker measures the name it parses: the domain as written (index.docker.io already mapped) plus the path.
  const measured = domain === undefined || domain === 'index.docker.io' ? DOCKER_HUB : domain
  if (measured.length + 1 + repository.length > NAME_MAX) return undefined

  const reference: ImageReference = { registry, repository }
  if (tag !== undefined) reference.tag = tag
  if (digest !== undefined) reference.digest = digest
  return reference
}

/** A repository name without tag or digest (what the Admin Console's Sandbox Image Repository holds). */
export function parseRepository(text: string): { registry: string; repository: string } | undefined {
  const reference = parseImageReference(text)
  if (!reference || reference.tag !== undefined || reference.digest !== undefined) return undefined
  return { registry: reference.registry, repository: reference.repository }
}

export function repositoryName(ref: { registry: string; repository: string }): string {
  return `${ref.registry}/${ref.repository}`
}

export function formatReference(ref: ImageReference): string {
  const tag = ref.tag === undefined ? '' : `:${ref.tag}`
  const digest = ref.digest === undefined ? '' : `@${ref.digest}`
  return `${repositoryName(ref)}${tag}${digest}`
}

/**
 * The first component is a registry only if it holds '.' or ':', is 'localhost', or has upper case
 * (distribution/reference's splitDockerDomain); otherwise the name is on Docker Hub.
 */
function splitDomain(text: string): { domain?: string; remainder: string } {
  const slash = text.indexOf('/')
  if (slash === -1) return { remainder: text }
  const first = text.slice(0, slash)
  const isDomain = first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()
  return isDomain ? { domain: first, remainder: text.slice(slash + 1) } : { remainder: text }
}

function isValidDomain(domain: string): boolean {
  let host = domain
  let port: string | undefined
  if (domain.startsWith('[')) {
    const close = domain.indexOf(']')
    if (close === -1) return false
    host = domain.slice(0, close + 1)
    const rest = domain.slice(close + 1)
    if (rest !== '') {
      if (!rest.startsWith(':')) return false
      port = rest.slice(1)
    }
    if (!IPV6_HOST.test(host)) return false
  } else {
    const colon = domain.indexOf(':')
    if (colon !== -1) {
      host = domain.slice(0, colon)
      port = domain.slice(colon + 1)
    }
    if (!host.split('.').every(component => DOMAIN_COMPONENT.test(component))) return false
  }
  return port === undefined || PORT.test(port)
}
