import type { BuildPlan } from './argv.js'
import { imageLabels, type LabelFacts } from './labels.js'
import type { SecretFile } from './secret-files.js'

/** The settings a build reads, named as in action.yml and already validated. */
export interface BuildSettings {
  /** Absolute build context folder. */
  context: string
  /** Absolute Dockerfile path. */
  file: string
  target: string
  'build-args': Record<string, string>
  repository: string
  labels: Record<string, string>
  push: boolean
  secrets: Array<{ id: string; value: string }>
  /** Build secrets read by buildx from files the user has (multi-line values such as keys). */
  'secret-files'?: Array<{ id: string; path: string }>
  /** `default` or `id=path`, forwarded as buildx --ssh. */
  ssh?: string[]
  'cache-from': string[]
  'cache-to': string[]
  builder: string
}

/**
 * What planBuild needs beside the inputs, all already known: the label facts (release, commit, time, base) and the
 * paths the side-effecting caller chose (the secret files it wrote, where buildx writes its metadata).
 */
export interface PlanFacts extends LabelFacts {
  /** The run's full references, `repository:tag`, the primary first (resolveTags, once per run). */
  refs: string[]
  /** One temp file per `secrets` input, by id, as writeSecretFiles returned them. */
  secretFiles: SecretFile[]
  metadataFile: string
  /** Load the image into the engine under this one local tag instead of pushing (the verify phase). */
  loadAs?: string
  /**
   * Load it under the run's references instead, with the push's attestations (an image store that keeps them): their
   * subject is then the repository, and the loaded image is what gets pushed.
   */
  loadAttested?: boolean
  /** The push's attestation arguments (planAttestations); a load under loadAs turns them off. */
  attestations?: string[]
}

/**
 * Settings to the buildx plan, with no side effects: the tags, the OCI labels plus the `labels` input (imageLabels),
 * build-args, each secret id with its temp file, cache, builder, metadata file and push. Throws an Error when a
 * secret has no temp file (the caller wrote too few).
 */
export function planBuild(inputs: BuildSettings, facts: PlanFacts): BuildPlan {
  return {
    platform: 'linux/amd64',
    file: inputs.file,
    context: inputs.context,
    target: inputs.target,
    tags: facts.loadAs ? [facts.loadAs] : facts.refs,
    labels: imageLabels(
      {
        release: facts.release,
        oheRelease: facts.oheRelease,
        created: facts.created,
        repositoryUrl: facts.repositoryUrl,
        sha: facts.sha,
        baseReference: facts.baseReference,
        baseDigest: facts.baseDigest
      },
      inputs.labels
    ),
    buildArgs: inputs['build-args'],
    secrets: [
      ...inputs.secrets.map(({ id }) => ({ id, path: secretPath(id, facts.secretFiles) })),
      ...(inputs['secret-files'] ?? []).map(({ id, path }) => ({ id, path }))
    ],
    ...(inputs.ssh && inputs.ssh.length > 0 ? { ssh: inputs.ssh } : {}),
    ...(facts.loadAs || facts.loadAttested ? { load: true } : {}),
    // An image loaded under the local tag is verified and pushed without attestations: theirs would name that tag,
    // and the classic image store cannot hold them. Its attested push is a buildx push of its own.
    ...(facts.loadAs ? { attestations: ATTESTATIONS_OFF } : facts.attestations ? { attestations: facts.attestations } : {}),
    cacheFrom: inputs['cache-from'],
    cacheTo: inputs['cache-to'],
    builder: inputs.builder,
    metadataFile: facts.metadataFile,
    push: inputs.push && !facts.loadAs && !facts.loadAttested
  }
}

const ATTESTATIONS_OFF = ['--provenance', 'false', '--sbom', 'false']

function secretPath(id: string, files: readonly SecretFile[]): string {
  const file = files.find(candidate => candidate.id === id)
  // A programming error, not a user's: buildx would otherwise get an id without a source and fail obscurely.
  if (!file) throw new Error(`No temp file was written for build secret '${id}'.`)
  return file.path
}
