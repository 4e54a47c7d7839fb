/** What is known about the image being built, for its OCI labels. */
export interface LabelFacts {
  /** The agent-server version the image is built on, X.Y.Z. */
  release: string
  /** The OHE release it was resolved from (ohe-release); empty or undefined when agent-server-version pinned it. */
  oheRelease?: string
  /** When the build started; one value per run so every tag of the run carries the same labels. */
  created: Date
  /** The repository's web address, e.g. https://github.com/acme/sandbox. */
  repositoryUrl?: string
  /** The full commit sha. */
  sha?: string
  /** The resolved base reference, e.g. ghcr.io/openhands/agent-server:1.23.0-python. */
  baseReference?: string
  /** The base manifest digest, when the checks resolved it. */
  baseDigest?: string
}

const oci = 'org.opencontainers.image'

/** The labels that later runs read back: skip-unchanged (revision, base digest) and layered images (base name). */
export const REVISION_LABEL = `${oci}.revision`
export const BASE_NAME_LABEL = `${oci}.base.name`
export const BASE_DIGEST_LABEL = `${oci}.base.digest`
/** What the image was built for: the agent-server version under it, and the OHE release that ships that version. */
export const AGENT_SERVER_VERSION_LABEL = 'dev.openhands.agent-server.version'
export const OHE_RELEASE_LABEL = 'dev.openhands.ohe.release'

/**
 * The OCI labels (pre-defined annotation keys of the image spec) plus the `labels` input. Input labels win, so a
 * team can override `source` for a mirror or `version` for its own scheme. Unknown facts leave their label out
 * rather than writing an empty value.
 */
export function imageLabels(facts: LabelFacts, input: Record<string, string>): Record<string, string> {
  const labels: Record<string, string> = {}
  if (facts.repositoryUrl) labels[`${oci}.source`] = facts.repositoryUrl
  if (facts.sha) labels[REVISION_LABEL] = facts.sha
  labels[`${oci}.created`] = facts.created.toISOString()
  labels[`${oci}.version`] = facts.release
  if (facts.baseReference) labels[BASE_NAME_LABEL] = facts.baseReference
  if (facts.baseDigest) labels[BASE_DIGEST_LABEL] = facts.baseDigest
  labels[AGENT_SERVER_VERSION_LABEL] = facts.release
  if (facts.oheRelease) labels[OHE_RELEASE_LABEL] = facts.oheRelease
  const merged = { ...labels, ...input }
  // skip-unchanged, the layered-image check and OHE administrators trust these: they must say what this build really used.
  for (const key of PROVENANCE) {
    if (labels[key] !== undefined) merged[key] = labels[key]
    else delete merged[key]
  }
  return merged
}

const PROVENANCE = [REVISION_LABEL, BASE_DIGEST_LABEL, AGENT_SERVER_VERSION_LABEL, OHE_RELEASE_LABEL]
