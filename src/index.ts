import { cleanup, isPostStep, markMainStep } from './build/post.js'
import { run } from './main.js'

// The runner starts this bundle twice, as the main step and as the post step; the main step marks its state.
if (isPostStep()) {
  await cleanup()
} else {
  markMainStep()
  await run()
}
