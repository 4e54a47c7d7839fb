import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface StoredComment {
  id: number
  body: string
  html_url: string
}

/** A stand-in of the GitHub REST API's issue-comment endpoints, enough for list, create and update. */
export function fakeGitHub(comments: StoredComment[], requests: string[], options: { readOnly?: boolean } = {}): Server {
  return createServer((request, response) => {
    void readBody(request).then(body => {
      requests.push(`${request.method} ${request.url} auth=${request.headers.authorization ?? ''}`)
      const send = (status: number, value: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' })
        response.end(JSON.stringify(value))
      }
      const url = new URL(request.url ?? '/', 'http://x')
      if (request.method === 'GET' && url.pathname === '/repos/acme/images/issues/7/comments') return send(200, comments)
      // A fork's pull request gets a read-only token: GitHub refuses every write with this 403.
      if (options.readOnly && request.method !== 'GET') return send(403, { message: 'Resource not accessible by integration' })
      if (request.method === 'POST' && url.pathname === '/repos/acme/images/issues/7/comments') {
        const created = { id: 100 + comments.length, body: (JSON.parse(body) as { body: string }).body, html_url: 'https://example.invalid/c' }
        comments.push(created)
        return send(201, created)
      }
      const update = /^\/repos\/acme\/images\/issues\/comments\/(\d+)$/.exec(url.pathname)
      if (request.method === 'PATCH' && update) {
        const comment = comments.find(c => c.id === Number(update[1]))
        if (!comment) return send(404, { message: 'Not Found' })
        comment.body = (JSON.parse(body) as { body: string }).body
        return send(200, comment)
      }
      send(404, { message: 'Not Found' })
    })
  })
}

async function readBody(request: IncomingMessage): Promise<string> {
  let body = ''
  for await (const chunk of request) body += String(chunk)
  return body
}

export async function listen(server: Server): Promise<string> {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}
