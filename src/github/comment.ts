import * as core from '@actions/core'
import { describeError } from '../errors.js'

/** Hidden in the rendered comment; finds the comment of this action (and this Dockerfile) on later runs. */
export function commentMarker(dockerfile: string): string {
  return `<!-- ohe-sandbox-image: ${dockerfile.replace(/-->/g, '')} -->`
}

/** GitHub refuses comments over 65,536 characters; a context full of findings must still get its comment. */
const MAX_COMMENT = 65_000

export function commentBody(markdown: string, marker: string): string {
  const body = `${marker}\n${markdown}`
  if (body.length <= MAX_COMMENT) return body
  const cut = body.lastIndexOf('\n', MAX_COMMENT - 100)
  return `${body.slice(0, cut)}\n\n… truncated: the job summary and the annotations list everything.\n`
}

export function findMarkedComment<T extends { id: number; body?: string | null }>(comments: readonly T[], marker: string): T | undefined {
  return comments.find(comment => comment.body?.startsWith(marker))
}

export interface PullRequestTarget {
  owner: string
  repo: string
  number: number
}

/** The pull request of this run, when the run is for one. */
export async function pullRequestOfRun(): Promise<PullRequestTarget | undefined> {
  // Loaded on demand: @actions/github reads the event file when it loads, and a broken one must not crash the step.
  const { context } = await import('@actions/github')
  const number = (context.payload.pull_request as { number?: unknown } | undefined)?.number
  if (typeof number !== 'number') return undefined
  return { ...context.repo, number }
}

/**
 * Creates or updates this action's comment on the pull request. A comment that cannot be written (a fork's
 * read-only token, no network) is a warning: the check itself has already said what it had to.
 */
export async function upsertPullRequestComment(token: string, apiUrl: string, target: PullRequestTarget, marker: string, markdown: string): Promise<void> {
  if (!token) {
    core.warning('No github-token: the pull-request comment was not written.')
    return
  }
  try {
    const { getOctokit } = await import('@actions/github')
    // Given explicitly: the library fixes its default API URL when it loads; GHES runners set GITHUB_API_URL.
    const octokit = getOctokit(token, { baseUrl: apiUrl, request: { retries: 0 } })
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      owner: target.owner,
      repo: target.repo,
      issue_number: target.number,
      per_page: 100
    })
    const body = commentBody(markdown, marker)
    const existing = findMarkedComment(comments, marker)
    if (existing) {
      await octokit.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: existing.id, body })
      core.info(`Updated the pull-request comment ${existing.html_url ?? existing.id}`)
    } else {
      const created = await octokit.rest.issues.createComment({ owner: target.owner, repo: target.repo, issue_number: target.number, body })
      core.info(`Commented on the pull request: ${created.data.html_url}`)
    }
  } catch (thrown) {
    core.warning(
      `Could not write the pull-request comment (${describeError(thrown)}). A fork's pull request gets a read-only token; the checks above still apply.`
    )
  }
}
