/**
 * ohe-release → the agent-server version that OHE release ships, through a ReleaseSource (the GitHub API) or a
 * release-map file's mapping. One resolution costs the tag listing (one request per 100 tags) and one or two files;
 * `latest` tries the newest releases until one names its tag (a few at most).
 */
import semver from 'semver'
import { describeError, UserError } from '../errors.js'
import { sharedRange, type FitRange } from './fit.js'
import type { ReleaseSource } from './github.js'
import { CONFIG_FILE, CONFIG_OPTION, nearestReleases, OHE_TAG_PREFIX, tagFromConfig, tagFromValues, VALUES_FILE } from './map.js'
import { builtInRuntime, runtimeFromFiles, SPEC_FILES, type ResolvedRuntime } from './runtime-spec.js'
import { splitAgentServerTag, type AgentServerTag, type OheReleaseInput } from './target-inputs.js'

/** The newest releases `latest` looks at before giving up: old ones without the option are not what latest means. */
const LATEST_TRIES = 3

export interface MappedRelease {
  /** The OHE release, X.Y.Z. */
  release: string
  /** The agent-server tag it names, as written (e.g. 1.41.0-python), split. */
  tag: string
  agentServer: AgentServerTag
  /** Where the tag was read: a file of the source repository, or the release-map file. */
  from: string
  /** The release's replicated/config.yaml, when it was read (it also names the Admin Console's options). */
  config?: string
}

/** Reads the tag one release names: config.yaml first (what the Admin Console shows), values.yaml when it has none. */
export async function readReleaseTag(source: ReleaseSource, release: string): Promise<{ tag: string; from: string; config?: string } | undefined> {
  const config = await source.readFile(release, CONFIG_FILE)
  const fromConfig = config === undefined ? undefined : tagFromConfig(config)
  if (config !== undefined && fromConfig !== undefined) return { tag: fromConfig, from: CONFIG_FILE, config }
  const values = await source.readFile(release, VALUES_FILE)
  const fromValues = values === undefined ? undefined : tagFromValues(values)
  if (fromValues !== undefined) return { tag: fromValues, from: VALUES_FILE, ...(config === undefined ? {} : { config }) }
  return undefined
}

export interface SourceResolution {
  mapped: MappedRelease
  /** Every OHE release of the source, oldest first (for the fit range). */
  releases: string[]
}

/** Resolves through the API: the tag list, then the release's files. Failures are one-line UserErrors. */
export async function resolveFromSource(wanted: OheReleaseInput, source: ReleaseSource): Promise<SourceResolution> {
  const releases = await source.listReleases()
  if (releases.length === 0) {
    throw new UserError(`${source.name} has no ${OHE_TAG_PREFIX}X.Y.Z tags, so it names no OHE release: check release-source, or set release-map.`)
  }
  if (wanted.kind === 'release') {
    if (!releases.includes(wanted.version)) throw unknownRelease(wanted.version, releases, source.name)
    const found = await readReleaseTag(source, wanted.version)
    if (found === undefined) throw noTagIn(wanted.version, source.name)
    return { mapped: mapped(wanted.version, found.tag, found.from, found.config), releases }
  }
  const newest = releases.slice(-LATEST_TRIES).reverse()
  for (const release of newest) {
    const found = await readReleaseTag(source, release)
    if (found !== undefined) return { mapped: mapped(release, found.tag, found.from, found.config), releases }
  }
  throw new UserError(
    `ohe-release: latest found no agent-server tag in the newest OHE releases of ${source.name} (${newest.join(', ')}): ` +
      `neither ${CONFIG_FILE} (${CONFIG_OPTION}) nor ${VALUES_FILE} (global.agentServerImage.tag) names one. Set ohe-release to a release, or pin agent-server-version.`
  )
}

/** Resolves through a release-map file's mapping (release → tag). */
export function resolveFromMap(wanted: OheReleaseInput, map: ReadonlyMap<string, string>, shownAs: string): MappedRelease {
  const releases = [...map.keys()]
  if (wanted.kind === 'release') {
    const tag = map.get(wanted.version)
    if (tag === undefined) throw unknownRelease(wanted.version, releases, `release-map ${shownAs}`)
    return mapped(wanted.version, tag, shownAs)
  }
  const newest = releases.sort(semver.compare).at(-1) ?? ''
  return mapped(newest, map.get(newest) ?? '', shownAs)
}

/** The releases that ship the same agent-server version as `at`, with a bounded number of file reads. */
export async function fitRangeFromSource(source: ReleaseSource, releases: readonly string[], at: MappedRelease): Promise<FitRange> {
  const index = releases.indexOf(at.release)
  return sharedRange(releases, index, at.agentServer.version, async probe => {
    const found = await readReleaseTag(source, releases[probe] ?? '')
    return found === undefined ? undefined : splitAgentServerTag(found.tag)?.version
  })
}

function mapped(release: string, tag: string, from: string, config?: string): MappedRelease {
  const agentServer = splitAgentServerTag(tag)
  if (agentServer === undefined) {
    throw new UserError(
      `OHE release ${release} names agent-server tag '${tag}' (${from}), which is not X.Y.Z-<variant>: pin agent-server-version to the version you want instead.`
    )
  }
  return { release, tag, agentServer, from, ...(config === undefined ? {} : { config }) }
}

function unknownRelease(version: string, releases: readonly string[], where: string): UserError {
  const nearest = nearestReleases(releases, version)
  return new UserError(
    `ohe-release ${version} is not an OHE release in ${where} (nearest: ${nearest.join(', ')}): set ohe-release to one of its releases, e.g. ${nearest[nearest.length - 1] ?? 'latest'}.`
  )
}

function noTagIn(release: string, where: string): UserError {
  return new UserError(
    `OHE release ${release} (${OHE_TAG_PREFIX}${release} of ${where}) names no agent-server tag: neither ${CONFIG_FILE} has the ${CONFIG_OPTION} option nor ` +
      `${VALUES_FILE} global.agentServerImage.tag (releases before about 0.7.30 lack both). Pin agent-server-version to the version it runs.`
  )
}

/** The runtime spec at one release: its three files read at once; the built-in spec, saying why, when they cannot be read. */
export async function readRuntimeSpec(source: ReleaseSource, release: string): Promise<ResolvedRuntime> {
  try {
    const [runtimeValues, replicatedChart, config] = await Promise.all([
      source.readFile(release, SPEC_FILES.runtimeValues),
      source.readFile(release, SPEC_FILES.replicatedChart),
      source.readFile(release, SPEC_FILES.config)
    ])
    return runtimeFromFiles(release, {
      ...(runtimeValues === undefined ? {} : { runtimeValues }),
      ...(replicatedChart === undefined ? {} : { replicatedChart }),
      ...(config === undefined ? {} : { config })
    })
  } catch (thrown) {
    return builtInRuntime(`the runtime spec of openhands/${release} could not be read: ${describeError(thrown)}`)
  }
}
