import type { Inputs } from '../inputs.js'
import type { BuildPlan } from './argv.js'
import { imageLabels, type LabelFacts } from './labels.js'
import type { SecretFile } from './secret-files.js'
import { resolveTags, type TagRequest } from './tags.js'

/**
 * What planBuild needs beside the inputs, all already known: the label facts (release, commit, time, base) and the
 * paths the side-effecting caller chose (the secret files it wrote, where buildx writes its metadata).
 */
export interface PlanFacts extends LabelFacts {
  /** One temp file per `secrets` input, by id, as writeSecretFiles returned them. */
  secretFiles: SecretFile[]
  metadataFile: string
  /** Load the image into the engine under this one local tag instead of pushing (the verify phase). */
  loadAs?: string
}

/**
 * Inputs to the buildx plan, with no side effects: the tags (resolveTags), the OCI labels plus the `labels` input
 * (imageLabels), build-args, each secret id with its temp file, cache, builder, metadata file and push. Throws a
 * UserError for an invalid tag, and an Error when a secret has no temp file (the caller wrote too few).
 */
export function planBuild(inputs: Inputs, facts: PlanFacts): BuildPlan {
  const { refs } = resolveTags(tagRequest(inputs, facts.release, facts.sha))
  return {
    platform: 'linux/amd64',
    file: inputs.file,
    context: inputs.context,
    target: inputs.target,
    tags: facts.loadAs ? [facts.loadAs] : refs,
    labels: imageLabels(
      {
        release: facts.release,
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
    ...(facts.loadAs ? { load: true } : {}),
    cacheFrom: inputs['cache-from'],
    cacheTo: inputs['cache-to'],
    builder: inputs.builder,
    metadataFile: facts.metadataFile,
    push: inputs.push && !facts.loadAs
  }
}

/** The tag request of a build, so buildAndPush names the same tags as the plan it runs. */
export function tagRequest(inputs: Inputs, release: string, sha?: string): TagRequest {
  return { repository: inputs.repository, tag: inputs.tag, 'extra-tags': inputs['extra-tags'], release, sha }
}

function secretPath(id: string, files: readonly SecretFile[]): string {
  const file = files.find(candidate => candidate.id === id)
  // A programming error, not a user's: buildx would otherwise get an id without a source and fail obscurely.
  if (!file) throw new Error(`No temp file was written for build secret '${id}'.`)
  return file.path
}
