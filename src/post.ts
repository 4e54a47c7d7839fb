import { cleanup } from './buildx/post.js'
import { cleanupVerify } from './verify/post.js'

/**
 * The post step: what a main step left, also after a failure or a cancel. The verify phase's container, local image
 * and temp dir go first, then the build's login and temp dir. Each part only warns.
 */
export async function runPostStep(): Promise<void> {
  await cleanupVerify()
  await cleanup()
}
