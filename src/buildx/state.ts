/**
 * Names of what the main step leaves for the post step (core.saveState). Never a credential: the registry to log
 * out of, the temp dirs to remove, and the docker process groups to end.
 */
export const STATE = {
  /** The registry this action logged in to; empty when it used the credentials docker already had. */
  registry: 'build-registry',
  /** The private temp dir holding the secret files and the metadata file. */
  tempDir: 'build-temp-dir',
  /** Comma-separated process group ids of the docker commands still running (the post step ends leftovers). */
  processGroups: 'docker-process-groups',
  /** The per-run DOCKER_CONFIG dir this run made (the post step removes it; the user's own config is never touched). */
  dockerConfig: 'docker-config-dir',
  /** Set by the main step: the runner runs the same bundle again as the post step, which then finds it. */
  isPost: 'is-post'
} as const
