import { readInputs, type InputSource, type Inputs } from './inputs.js'
import type { RunnerFacts } from './runner.js'

/**
 * Everything a run knows before it starts: every input, validated, and the runner's facts. Read once by main.ts and
 * frozen; each phase gets only the part it needs.
 */
export type RunPlan = Readonly<Inputs> & { readonly runner: Readonly<RunnerFacts> }

export function readRunPlan(read: InputSource, runner: RunnerFacts): RunPlan {
  return Object.freeze({ ...readInputs(read, runner.workspace), runner: Object.freeze({ ...runner }) })
}
