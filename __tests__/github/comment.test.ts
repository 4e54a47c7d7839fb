import { jest } from '@jest/globals'
import { createServer } from 'node:http'
import { commentBody, commentMarker, findMarkedComment, upsertPullRequestComment } from '../../src/github/comment.js'
import { fakeGitHub, listen, type StoredComment } from '../support/fake-github.js'

describe('pull-request comment', () => {
  const marker = commentMarker('image/Dockerfile')
  const target = { owner: 'acme', repo: 'images', number: 7 }
  let stdout: jest.SpiedFunction<typeof process.stdout.write>

  beforeEach(() => {
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
  })
  afterEach(() => {
    stdout.mockRestore()
  })

  it("keeps a long report under GitHub's comment limit, cut at a line", () => {
    const markdown = Array.from({ length: 5000 }, (_, i) => `| row ${i} | ${'x'.repeat(20)} |`).join('\n')
    const body = commentBody(markdown, marker)
    expect(body.length).toBeLessThanOrEqual(65_000)
    expect(body.startsWith(`${marker}\n| row 0 |`)).toBe(true)
    expect(body).toMatch(/\| row \d+ \| x{20} \|\n\n… truncated: the job summary and the annotations list everything\.\n$/)
    expect(commentBody('short', marker)).toBe(`${marker}\nshort`)
  })

  it('finds its own comment by the hidden marker only', () => {
    const comments = [
      { id: 1, body: 'unrelated' },
      { id: 2, body: `${commentMarker('other/Dockerfile')}\nother image` },
      { id: 3, body: `${marker}\nthis image` }
    ]
    expect(findMarkedComment(comments, marker)?.id).toBe(3)
    expect(findMarkedComment(comments.slice(0, 2), marker)).toBeUndefined()
  })

  it('creates the comment, then updates it in place', async () => {
    const comments: StoredComment[] = [{ id: 1, body: 'a human wrote this', html_url: 'x' }]
    const requests: string[] = []
    const server = fakeGitHub(comments, requests)
    const apiUrl = await listen(server)
    try {
      await upsertPullRequestComment('t0ken', apiUrl, target, marker, 'first run')
      await upsertPullRequestComment('t0ken', apiUrl, target, marker, 'second run')
    } finally {
      server.close()
    }
    expect(comments.map(c => c.body)).toEqual(['a human wrote this', `${marker}\nsecond run`])
    expect(requests.map(r => r.replace(/\?.*? /, ' '))).toEqual([
      'GET /repos/acme/images/issues/7/comments auth=token t0ken',
      'POST /repos/acme/images/issues/7/comments auth=token t0ken',
      'GET /repos/acme/images/issues/7/comments auth=token t0ken',
      'PATCH /repos/acme/images/issues/comments/101 auth=token t0ken'
    ])
  })

  it("only warns when a fork's read-only token cannot write the comment", async () => {
    const comments: StoredComment[] = []
    const server = fakeGitHub(comments, [], { readOnly: true })
    const apiUrl = await listen(server)
    try {
      await expect(upsertPullRequestComment('t0ken', apiUrl, target, marker, 'body')).resolves.toBeUndefined()
    } finally {
      server.close()
    }
    expect(comments).toEqual([])
    const printed = stdout.mock.calls.map(([chunk]) => String(chunk)).join('')
    expect(printed).toMatch(/^::warning::Could not write the pull-request comment \(Resource not accessible by integration/m)
  })

  it('only warns when the API cannot be reached', async () => {
    const server = createServer()
    const apiUrl = await listen(server)
    await new Promise(resolve => server.close(resolve)) // a port that refuses connections
    await expect(upsertPullRequestComment('t0ken', apiUrl, target, marker, 'body')).resolves.toBeUndefined()
    const printed = stdout.mock.calls.map(([chunk]) => String(chunk)).join('')
    expect(printed).toMatch(/^::warning::Could not write the pull-request comment/m)
    expect(printed).not.toContain('t0ken')
  })
})
