/**
 * SLSA provenance and SBOM attestations on the pushed image, with docker/build-push-action's inputs and defaults:
 * `provenance` (`true`, `false`, or BuildKit's attributes such as `mode=max`; min mode by default) and `sbom`.
 * BuildKit attaches them to the image index it pushes; the docker driver on the classic image store cannot keep
 * them (buildx refuses), so there the image is pushed without, and one notice says so.
 */
import { UserError } from '../errors.js'
import { SHORT_TIMEOUT_MS, type DockerCommand } from './docker.js'

/** `false`, or BuildKit's provenance attributes: the mode and the others as given (`builder-id=…`, `inline-only=…`). */
export type Provenance = false | { mode: 'min' | 'max'; attrs: string[] }

/** `false`, or an SBOM by BuildKit's scanner: its own default (Docker's Syft scanner) or a `generator=<image>`. */
export type Sbom = false | { generator?: string }

/** The attestations the user asked for, as read from the inputs. */
export interface AttestationSettings {
  provenance: Provenance
  sbom: Sbom
}

/** build-push-action's default: min mode (max mode records the build args' values). */
export const DEFAULT_PROVENANCE: Provenance = { mode: 'min', attrs: [] }

/** The provenance attributes BuildKit reads (buildx `--provenance` / `--attest type=provenance,…`). */
const PROVENANCE_KEYS = new Set(['mode', 'builder-id', 'inline-only', 'disabled', 'version', 'reproducible', 'filename'])

const EXPECTED = 'Expected true, false, or attributes such as mode=min, mode=max or mode=max,builder-id=<url>.'

/** The `provenance` input: empty for the default (min mode), `true`, `false`, or comma-separated key=value attributes. */
export function parseProvenance(text: string): Provenance {
  const value = text.trim()
  if (value === '') return DEFAULT_PROVENANCE
  if (/^(true|True|TRUE)$/.test(value)) return DEFAULT_PROVENANCE
  if (/^(false|False|FALSE)$/.test(value)) return false
  let mode: 'min' | 'max' = 'min'
  let disabled = false
  const attrs: string[] = []
  for (const field of value.split(',').map(part => part.trim())) {
    const equals = field.indexOf('=')
    const key = equals > 0 ? field.slice(0, equals).trim() : ''
    const attr = equals > 0 ? field.slice(equals + 1).trim() : ''
    if (!PROVENANCE_KEYS.has(key) || attr === '') {
      throw new UserError(`provenance '${value}' is not a provenance setting: '${field}' is not one of ${[...PROVENANCE_KEYS].join(', ')}=<value>. ${EXPECTED}`)
    }
    if (key === 'mode') {
      if (attr !== 'min' && attr !== 'max') throw new UserError(`provenance '${value}': mode '${attr}' is not supported. ${EXPECTED}`)
      mode = attr
    } else if (key === 'disabled') {
      if (!/^(true|false)$/i.test(attr)) throw new UserError(`provenance '${value}': disabled '${attr}' is not a boolean. ${EXPECTED}`)
      disabled = attr.toLowerCase() === 'true'
    } else {
      attrs.push(`${key}=${attr}`)
    }
  }
  return disabled ? false : { mode, attrs }
}

/** The `sbom` input: `true`, `false` (the default), or `generator=<image>` (an SBOM scanner image of one's own). */
export function parseSbom(text: string): Sbom {
  const value = text.trim()
  if (value === '' || /^(false|False|FALSE)$/.test(value)) return false
  if (/^(true|True|TRUE)$/.test(value)) return {}
  const generator = /^generator=(\S+)$/.exec(value)?.[1]
  if (generator === undefined) {
    throw new UserError(`sbom '${value}' is not an SBOM setting. Expected true, false, or generator=<scanner image>.`)
  }
  return { generator }
}

/** What the action learnt about where the image is built: whether the attestations can be kept. */
export interface AttestationSupport {
  /** The builder's driver (`docker`, `docker-container`, `kubernetes`, `remote`). */
  driver: string
  /** The engine stores images in containerd (Docker's containerd image store): its docker driver keeps attestations. */
  containerdStore: boolean
}

export interface AttestationPlan {
  /** `--provenance …` and `--sbom …` for the buildx push; attestations turned off explicitly when none are kept. */
  args: string[]
  /** True when the pushed index will hold attestation manifests. */
  attached: boolean
  /**
   * The image a `--load` build leaves in the engine holds them too (the docker driver on a containerd image store):
   * the verified image is then pushed as it was loaded, with no second build.
   */
  keptByLoad: boolean
  /** What was asked for, for people: `SLSA provenance (mode=min) and an SBOM`; empty when nothing was. */
  asked: string
  /** Said once, as a notice: what was asked for and could not be kept. */
  notice?: string
  /** Build args whose values max-mode provenance would record: one warning each. */
  recorded: string[]
}

/**
 * The attestation arguments of the push, with no side effects. `builderId` is the run's URL (build-push-action's
 * builder-id); `secretArgs` names the secret-looking build args (secretLookingBuildArgs).
 */
export function planAttestations(
  settings: AttestationSettings,
  support: AttestationSupport,
  builderId: string | undefined,
  secretArgs: readonly string[]
): AttestationPlan {
  const { provenance, sbom } = settings
  const asked = [provenance !== false && `SLSA provenance (mode=${provenance.mode})`, sbom !== false && 'an SBOM'].filter(Boolean).join(' and ')
  const off = ['--provenance', 'false', '--sbom', 'false']
  if (!asked) return { args: off, attached: false, keptByLoad: false, asked, recorded: [] }
  if (support.driver === 'docker' && !support.containerdStore) {
    return {
      args: off,
      attached: false,
      keptByLoad: false,
      asked,
      recorded: [],
      notice:
        `The image is pushed without ${asked}: the docker driver on Docker's classic image store cannot keep attestations. ` +
        'Turn on the containerd image store (Docker 24+, "features": {"containerd-snapshotter": true}) or use a docker-container builder ' +
        '(docker/setup-buildx-action) to attach them, or set provenance: false and sbom: false to silence this notice.'
    }
  }
  const args: string[] = []
  if (provenance === false) {
    args.push('--provenance', 'false')
  } else {
    const hasBuilderId = provenance.attrs.some(attr => attr.startsWith('builder-id='))
    const attrs = [`mode=${provenance.mode}`, ...provenance.attrs, ...(hasBuilderId || !builderId ? [] : [`builder-id=${builderId}`])]
    args.push('--provenance', attrs.join(','))
  }
  args.push('--sbom', sbom === false ? 'false' : sbom.generator ? `generator=${sbom.generator}` : 'true')
  const keptByLoad = support.driver === 'docker' && support.containerdStore
  return { args, attached: true, keptByLoad, asked, recorded: provenance !== false && provenance.mode === 'max' ? [...secretArgs] : [] }
}

/** The warning for a secret-looking build arg that max-mode provenance records in the pushed attestation. */
export function recordedArgWarning(name: string): string {
  return (
    `build-args: ${name} looks like a secret, and provenance mode=max records every build arg's value in the provenance ` +
    'attestation pushed with the image, readable by anyone who can pull it: pass it with the secrets input, or use provenance mode=min.'
  )
}

/** The builder's driver from `docker buildx inspect` output (`Driver: docker`); undefined when absent. Pure. */
export function parseBuilderDriver(inspect: string): string | undefined {
  return /^Driver:\s*(\S+)/m.exec(inspect)?.[1]
}

/**
 * Whether `docker info --format '{{json .DriverStatus}}'` shows the containerd image store: its snapshotter
 * (`io.containerd.snapshotter.v1`) instead of a graph driver's facts. Pure.
 */
export function usesContainerdStore(driverStatus: string): boolean {
  return driverStatus.includes('io.containerd.snapshotter')
}

/** Asks buildx for the builder's driver and the engine for its image store, at once; an engine that does not answer has no containerd store. */
export async function readAttestationSupport(builder: string, docker: DockerCommand): Promise<AttestationSupport> {
  const [inspect, info] = await Promise.all([
    docker(['buildx', 'inspect', ...(builder ? [builder] : [])], { silent: true, timeoutMs: SHORT_TIMEOUT_MS }),
    docker(['info', '--format', '{{json .DriverStatus}}'], { silent: true, timeoutMs: SHORT_TIMEOUT_MS })
  ])
  return {
    driver: (inspect.exitCode === 0 && parseBuilderDriver(inspect.stdout)) || 'unknown',
    containerdStore: info.exitCode === 0 && usesContainerdStore(info.stdout)
  }
}
