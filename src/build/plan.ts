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
    tags: facts.refs,
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
    secrets: inputs.secrets.map(({ id }) => ({ id, path: secretPath(id, facts.secretFiles) })),
    cacheFrom: inputs['cache-from'],
    cacheTo: inputs['cache-to'],
    builder: inputs.builder,
    metadataFile: facts.metadataFile,
    push: inputs.push
  }
}

function secretPath(id: string, files: readonly SecretFile[]): string {
  const file = files.find(candidate => candidate.id === id)
  // A programming error, not a user's: buildx would otherwise get an id without a source and fail obscurely.
  if (!file) throw new Error(`No temp file was written for build secret '${id}'.`)
  return file.path
}
