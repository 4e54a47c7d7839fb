/** Everything the buildx command line depends on, already resolved and validated: planBuild() makes it from the inputs. */
export interface BuildPlan {
  /** OHE runs sandboxes on amd64 nodes only, so this is never a user choice. */
  platform: 'linux/amd64'
  /** Absolute Dockerfile path. */
  file: string
  /** Absolute build context folder. */
  context: string
  /** Build stage; empty for the last stage. */
  target: string
  /** Full references, `repository:tag`. */
  tags: string[]
  /** In order; see imageLabels(). */
  labels: Record<string, string>
  buildArgs: Record<string, string>
  /** BuildKit secrets: the id the Dockerfile mounts and the temp file holding the value. */
  secrets: Array<{ id: string; path: string }>
  cacheFrom: string[]
  cacheTo: string[]
  /** An existing buildx builder; empty for the current one. */
  builder: string
  metadataFile: string
  push: boolean
  /** SSH forwards for `--ssh`: `default` or `id=path`. */
  ssh?: string[]
  /**
   * Load the result into the Docker engine under `tags` instead of pushing (the verify phase: build once, verify,
   * then push that image). Wins over push.
   */
  load?: boolean
  /** `--provenance …` and `--sbom …` (planAttestations); none given leaves buildx's own default. */
  attestations?: string[]
}

/**
 * The `docker buildx build` arguments for a plan, for exec as an array (never a shell). Order is fixed so the
 * command in the log reads the same every run.
 */
export function buildxArgs(plan: BuildPlan): string[] {
  const args = ['buildx', 'build']
  if (plan.builder) args.push('--builder', plan.builder)
  // Plain progress even on a terminal: the error lines we quote are then free of cursor movement, and a
  // BUILDKIT_PROGRESS=quiet/rawjson in the environment cannot hide them.
  args.push('--progress', 'plain')
  args.push('--platform', plan.platform)
  args.push('--file', plan.file)
  if (plan.target) args.push('--target', plan.target)
  for (const tag of plan.tags) args.push('--tag', tag)
  for (const [key, value] of Object.entries(plan.labels)) args.push('--label', `${key}=${value}`)
  for (const [name, value] of Object.entries(plan.buildArgs)) args.push('--build-arg', `${name}=${value}`)
  for (const secret of plan.secrets) args.push('--secret', `id=${secret.id},${csvField(`src=${secret.path}`)}`)
  for (const ssh of plan.ssh ?? []) args.push('--ssh', ssh)
  for (const source of plan.cacheFrom) args.push('--cache-from', source)
  for (const destination of plan.cacheTo) args.push('--cache-to', destination)
  args.push(...(plan.attestations ?? []))
  args.push('--metadata-file', plan.metadataFile)
  if (plan.load) {
    // --load is `--output type=docker` into the engine on every driver (docker-container and remote builders send
    // the image tarball to the engine), so the verify phase can read and run exactly what was built.
    args.push('--load')
  } else if (plan.push) {
    args.push('--push')
  } else {
    // Build only, and say so: `type=cacheonly` keeps the result in the build cache on every driver. With no output
    // at all, the docker-container/kubernetes/remote drivers warn "No output specified … will only remain in the
    // build cache", and the docker driver exports into the daemon's image store (checked on buildx 0.13 + dockerd
    // 20.10: the tag appears in `docker images`, and the metadata's containerimage.digest is then the image ID, not
    // a manifest digest) — time spent for nobody. No --load either: a pull-request check needs to know the image
    // builds, not to keep it.
    args.push('--output', 'type=cacheonly')
  }
  args.push(plan.context)
  return args
}

/** buildx reads `--secret` as one CSV record: a temp path with a comma or quote must be a quoted field. */
function csvField(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field
}

/** The command line as the log shows it: build-arg values left out (they may be secrets; the log keeps them). */
export function shownArgs(args: readonly string[]): string[] {
  return args.map((arg, i) => (args[i - 1] === '--build-arg' && arg.includes('=') ? `${arg.slice(0, arg.indexOf('='))}=***` : arg))
}
