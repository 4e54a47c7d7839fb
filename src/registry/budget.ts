/**
 * The overall time registry reads may take: per call (a paged tag listing, an index and its config, every retry and
 * token request included) and per phase (all the reads of, say, the release lookup). A request never waits past the
 * nearer of the two, so 30 s per request cannot multiply by pages or retries.
 */
import { AsyncLocalStorage } from 'node:async_hooks'

export interface Deadline {
  /** Epoch milliseconds. */
  at: number
  /** The budget's length, for the message. */
  ms: number
  /** What it bounds, for the message: "registry read budget of the release lookup". */
  label: string
}

/** Each phase's registry reads together: the release lookup, the checks' base image reads, the push's reads. */
export const PHASE_READ_BUDGET_MS = 5 * 60_000

const phase = new AsyncLocalStorage<Deadline>()

/** Runs `work` with one budget of `ms` for every registry read made inside it (nested budgets keep the nearer end). */
export function withReadBudget<T>(label: string, ms: number, work: () => Promise<T>): Promise<T> {
  const own: Deadline = { at: Date.now() + ms, ms, label: `registry read budget of ${label}` }
  const outer = phase.getStore()
  return phase.run(outer !== undefined && outer.at < own.at ? outer : own, work)
}

/** The nearer of the call's own budget and the current phase's. */
export function callDeadline(callBudgetMs: number): Deadline {
  const own: Deadline = { at: Date.now() + callBudgetMs, ms: callBudgetMs, label: 'overall time for one registry read' }
  const outer = phase.getStore()
  return outer !== undefined && outer.at < own.at ? outer : own
}
