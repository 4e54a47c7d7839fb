/**
 * A problem the user can fix: its message is shown as is, without a stack trace.
 * `file`/`line` place the error annotation when the problem has a location.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number
  ) {
    super(message)
    this.name = 'UserError'
  }
}

/** Turns anything thrown into one line a user can read; never a stack. */
export function describeError(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message
  if (typeof thrown === 'string') return thrown
  try {
    return `Unexpected failure: ${JSON.stringify(thrown)}`
  } catch {
    return 'Unexpected failure'
  }
}
