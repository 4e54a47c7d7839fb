/**
 * Names of what the main step leaves for the post step (core.saveState). Never a credential: only the registry to
 * log out of and the temp dir to remove.
 */
export const STATE = {
  /** The registry this action logged in to; empty when it used the credentials docker already had. */
  registry: 'build-registry',
  /** The private temp dir holding the secret files and the metadata file. */
  tempDir: 'build-temp-dir',
  /** Set by the main step: the runner runs the same bundle again as the post step, which then finds it. */
  isPost: 'is-post'
} as const
