import os from 'node:os'
import { oidcIssuer } from './sign/cosign.js'

/** What the runner tells the step through its environment; main.ts reads it once and hands parts of it down. */
export interface RunnerFacts {
  /** GITHUB_WORKSPACE, or the working directory off a runner (npm start, tests). */
  workspace: string
  /** The full commit sha (GITHUB_SHA); absent off a runner. */
  sha?: string
  /** The repository's web address, e.g. https://github.com/acme/sandbox. */
  repositoryUrl?: string
  /** RUNNER_TEMP, which the runner empties after each job; the OS temp dir off a runner. */
  tempDir: string
  /** The REST API of this GitHub (GHES runners set GITHUB_API_URL). */
  apiUrl: string
  /** GITHUB_STEP_SUMMARY; absent off a runner, where there is no summary to write. */
  summaryFile?: string
  /** The job may ask for a GitHub OIDC token (`permissions: id-token: write`): keyless signing can work. */
  oidc: boolean
  /** The issuer of that token, as a keyless signature's certificate records it. */
  oidcIssuer: string
  /** The workflow file and ref the token names, `https://github.com/acme/app/.github/workflows/publish.yml@refs/heads/main`. */
  workflowIdentity?: string
  /** This run's attempt, e.g. https://github.com/acme/sandbox/actions/runs/42/attempts/1: the provenance's builder-id. */
  runUrl?: string
}

export function readRunnerFacts(env: NodeJS.ProcessEnv, cwd: string): RunnerFacts {
  const facts: RunnerFacts = {
    workspace: env.GITHUB_WORKSPACE || cwd,
    tempDir: env.RUNNER_TEMP || os.tmpdir(),
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    oidc: Boolean(env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN),
    oidcIssuer: oidcIssuer(env.GITHUB_SERVER_URL)
  }
  if (env.GITHUB_SHA) facts.sha = env.GITHUB_SHA
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY) facts.repositoryUrl = `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`
  if (env.GITHUB_STEP_SUMMARY) facts.summaryFile = env.GITHUB_STEP_SUMMARY
  if (env.GITHUB_SERVER_URL && env.GITHUB_WORKFLOW_REF) facts.workflowIdentity = `${env.GITHUB_SERVER_URL}/${env.GITHUB_WORKFLOW_REF}`
  // build-push-action's builder-id, so provenance reads the same as it did there.
  if (facts.repositoryUrl && env.GITHUB_RUN_ID)
    facts.runUrl = `${facts.repositoryUrl}/actions/runs/${env.GITHUB_RUN_ID}/attempts/${env.GITHUB_RUN_ATTEMPT || '1'}`
  return facts
}
