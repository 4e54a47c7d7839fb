import * as core from '@actions/core'
import { isPostStep, markMainStep } from './buildx/post.js'
import { runPostStep } from './post.js'
import { describeError } from './errors.js'
import { run } from './main.js'

// The runner starts this bundle twice, as the main step and as the post step; the main step marks its state.
try {
  if (isPostStep()) {
    await runPostStep()
  } else {
    markMainStep()
    await run()
  }
} catch (thrown) {
  // Last resort (e.g. a runner file that cannot be written): one line, never a stack trace.
  core.setFailed(describeError(thrown))
}
