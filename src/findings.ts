export type Severity = 'error' | 'warning'

/** One result of a check or of the secret scan, placed on a file and line for the annotation. */
export interface Finding {
  /** Which check or rule produced it, e.g. `base-image`, `runtime-contract`, `github-pat`. */
  check: string
  severity: Severity
  /** What is wrong and what to change; never contains a secret value. */
  message: string
  /** Path of the file, absolute or relative to the working directory. */
  file: string
  /** 1-based line, when the finding has one. */
  line?: number
}
