/**
 * Every secret value this run handled (registry-password, build secret values, github-token, the credentials the
 * action read from docker's config or a credential helper), and the one function that removes them from text the
 * runner does not mask: the job summary, the pull-request comment, annotations and error messages.
 */

/** Lines of a multi-line value shorter than this are not redacted on their own: `}` would only blot the text. */
const MIN_LINE_LENGTH = 8
/** Any non-blank value is redacted as a whole. */
const MIN_VALUE_LENGTH = 1

const known = new Set<string>()

/** Adds a secret value; a multi-line one also by each of its longer lines (a RUN prints a key file line by line). */
export function rememberSecret(value: string): void {
  if (value.trim().length < MIN_VALUE_LENGTH) return
  known.add(value)
  if (value.includes('\n')) {
    for (const line of value.split(/\r?\n/).map(part => part.trim())) if (line.length >= MIN_LINE_LENGTH) known.add(line)
  }
}

/** Forgets every value (tests, and a new run in the same process). */
export function forgetSecrets(): void {
  known.clear()
}

/** `text` with every known secret value (and any given here) replaced by `***`, the longest first. */
export function redact(text: string, extra: readonly string[] = []): string {
  const values = [...new Set([...known, ...extra.filter(value => value.trim().length >= MIN_VALUE_LENGTH)])].sort((a, b) => b.length - a.length)
  let result = text
  for (const value of values) result = result.split(value).join('***')
  return result
}
