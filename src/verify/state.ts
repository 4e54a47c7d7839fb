/** What the verify phase leaves for the post step (core.saveState), so a cancelled run still cleans up. */
export const VERIFY_STATE = {
  /** The boot-check container, removed by the post step if the main step did not. */
  container: 'verify-container',
  /** The local tag the image was loaded under, for verifying. */
  image: 'verify-image',
  /** The private temp dir of the verify phase (spooled files, the boot check's env file). */
  tempDir: 'verify-temp-dir'
} as const
