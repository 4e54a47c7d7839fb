import * as core from '@actions/core'
import { readFile } from 'node:fs/promises'
import { describeError, UserError } from '../errors.js'
import type { Inputs } from '../inputs.js'
import { describeRange, rangeInMap, type FitRange } from '../release/fit.js'
import { githubReleaseSource, type ReleaseSource } from '../release/github.js'
import { parseReleaseMap } from '../release/map.js'
import { splitAgentServerTag } from '../release/target-inputs.js'
import { adminConsoleOptions, BUILT_IN, type AdminConsoleOptions } from '../kots/config-values.js'
import { fitRangeFromSource, readRuntimeSpec, resolveFromMap, resolveFromSource, type MappedRelease } from '../release/resolve.js'
import { builtInRuntime, describeSpecSource, type ResolvedRuntime } from '../release/runtime-spec.js'

export interface ResolvedRelease {
  /** X.Y.Z, the agent-server version the checks and the build use. */
  version: string
  /** The OHE release it was resolved from (e.g. 0.45.0); empty when agent-server-version pinned it. */
  oheRelease: string
  /** The agent-server tag the release map names (e.g. 1.41.0-python); empty when pinned. */
  mapTag: string
  /** True for `ohe-release: latest`. */
  latest: boolean
  /** The OHE releases that ship this agent-server version, when they could be worked out. */
  fits?: FitRange
  /** The Admin Console's custom-image options, for the ConfigValues file. */
  adminConsole: AdminConsoleOptions
  /** How that release starts a sandbox (the boot check's spec), and where that was read. */
  runtime: ResolvedRuntime
}

type ReleaseInputs = Pick<Inputs, 'ohe-release' | 'agent-server-version' | 'release-source' | 'release-map' | 'variant' | 'github-token'>

export interface ReleaseContext {
  /** GITHUB_API_URL, read by main.ts. */
  apiUrl: string
  /** The workspace path of release-map, for messages. */
  shownMap?: string
  /** Replaces the GitHub source (tests). */
  source?: ReleaseSource
}

/**
 * The agent-server version to check and build on: agent-server-version as given, or ohe-release resolved through the
 * release map (the release-map file, else the `openhands/X.Y.Z` tags of release-source read with github-token). The
 * fit range ("agent-server 1.36.0: OHE 0.16.2 to 0.33.0") is extra information: a failure there is only a warning.
 */
export async function resolveRelease(inputs: ReleaseInputs, context: ReleaseContext): Promise<ResolvedRelease> {
  const pinned = inputs['agent-server-version']
  const wanted = inputs['ohe-release']
  const mapFile = inputs['release-map']
  const shownMap = context.shownMap ?? mapFile
  const map = mapFile ? await readReleaseMap(mapFile, shownMap) : undefined

  if (wanted === undefined) {
    const runtime = builtInRuntime('agent-server-version is pinned, so no OHE release was read')
    core.info(`Runtime spec (how the sandbox is started): ${describeSpecSource(runtime.source)}`)
    const resolved: ResolvedRelease = { version: pinned, oheRelease: '', mapTag: '', latest: false, adminConsole: BUILT_IN, runtime }
    // Without a map file the API is not asked: a pinned build must also work where GitHub cannot be reached.
    const fits = map && rangeInMap(map, pinned, versionOf)
    if (fits) resolved.fits = fits
    else if (map) core.info(`agent-server ${pinned} is in no OHE release of release-map ${shownMap}.`)
    return resolved
  }

  let mapped: MappedRelease
  let fits: FitRange | undefined
  let runtime: ResolvedRuntime
  if (map) {
    mapped = resolveFromMap(wanted, map, shownMap)
    fits = rangeInMap(map, mapped.agentServer.version, versionOf)
    runtime = builtInRuntime(`release-map ${shownMap} names tags only, not the release's chart`)
  } else {
    const source = context.source ?? githubReleaseSource({ repository: inputs['release-source'], token: inputs['github-token'], apiUrl: context.apiUrl })
    const resolved = await resolveFromSource(wanted, source)
    mapped = resolved.mapped
    // The spec's three files and the fit range's probes at once: both only read the same source.
    const [spec, range] = await Promise.all([
      readRuntimeSpec(source, mapped.release),
      fitRangeFromSource(source, resolved.releases, mapped).catch((thrown: unknown) => {
        core.warning(`Could not work out which other OHE releases ship agent-server ${mapped.agentServer.version}: ${describeError(thrown)}`)
        return undefined
      })
    ])
    runtime = spec
    fits = range
  }
  const named = mapped.agentServer.variant
  const variantNote =
    named !== undefined && named !== inputs.variant ? `; building on the ${inputs.variant} variant, ${mapped.agentServer.version}-${inputs.variant}` : ''
  const how = wanted.kind === 'latest' ? `ohe-release: latest is OHE ${mapped.release}, which` : `OHE release ${mapped.release}`
  core.info(`${how} ships agent-server ${mapped.tag} (${mapped.from})${variantNote}`)
  if (fits) core.info(`Fits: ${describeRange(fits)}`)
  core.info(`Runtime spec (how the sandbox is started): ${describeSpecSource(runtime.source)}`)
  const resolved: ResolvedRelease = {
    version: mapped.agentServer.version,
    oheRelease: mapped.release,
    mapTag: mapped.tag,
    latest: wanted.kind === 'latest',
    adminConsole: adminConsoleOptions(mapped, inputs['release-source']),
    runtime
  }
  if (fits) resolved.fits = fits
  return resolved
}

async function readReleaseMap(file: string, shownAs: string): Promise<Map<string, string>> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (thrown) {
    const code = (thrown as { code?: unknown }).code
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${describeError(thrown)})`
    throw new UserError(`release-map ${shownAs} ${why}: set release-map to a YAML file in the workspace with lines such as "0.45.0: 1.41.0-python".`)
  }
  const map = parseReleaseMap(text, shownAs)
  if (typeof map === 'string') throw new UserError(map, file)
  return map
}

function versionOf(tag: string): string | undefined {
  return splitAgentServerTag(tag)?.version
}
