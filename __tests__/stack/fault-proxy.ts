/**
 * A fault-injecting HTTP proxy on 127.0.0.1 in front of the real test registry: each request is forwarded as is
 * (Host kept, so the registry's upload locations point back at the proxy) unless a rule matches its method, path and
 * per-rule request count; then the proxy answers a status, resets the connection, or stalls (takes the body and never
 * answers). dockerd treats 127.0.0.0/8 as insecure registries, so a push to 127.0.0.1:<port> works over plain http.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export type Fault = { kind: 'status'; status: number; headers?: Record<string, string>; body?: string } | { kind: 'reset' } | { kind: 'stall' }

export interface Rule {
  method?: string
  /** Matched against the path (without the query). */
  path: RegExp
  /** Matched against the User-Agent: the action's own requests (Node's fetch) or dockerd's. */
  agent?: RegExp
  fault: Fault
  /** Which matching requests get the fault, counting from 1: e.g. [1] only the first; undefined: all of them. */
  requests?: number[]
}

export interface FaultProxy {
  /** 127.0.0.1:<port>, the registry part of image references pushed through the proxy. */
  registry: string
  rules: Rule[]
  /** Every request seen, as `METHOD path -> outcome`. */
  log: string[]
  close(): Promise<void>
}

export async function startFaultProxy(upstream: string, rules: Rule[] = []): Promise<FaultProxy> {
  const [host, port] = upstream.split(':')
  const counts = new Map<Rule, number>()
  const log: string[] = []
  const held = new Set<http.ServerResponse>()
  const proxy: FaultProxy = { registry: '', rules, log, close: async () => undefined }

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    const rule = proxy.rules.find(candidate => {
      if (candidate.method !== undefined && candidate.method !== req.method) return false
      if (!candidate.path.test(path)) return false
      if (candidate.agent !== undefined && !candidate.agent.test(req.headers['user-agent'] ?? '')) return false
      const count = (counts.get(candidate) ?? 0) + 1
      counts.set(candidate, count)
      return candidate.requests === undefined || candidate.requests.includes(count)
    })
    const fault = rule?.fault
    log.push(`${req.method} ${path} -> ${fault === undefined ? 'forward' : fault.kind === 'status' ? String(fault.status) : fault.kind}`)
    if (fault?.kind === 'reset') {
      req.socket.destroy()
      return
    }
    if (fault?.kind === 'stall') {
      // Take whatever the client sends and never answer.
      req.on('data', () => undefined)
      held.add(res)
      return
    }
    if (fault?.kind === 'status') {
      req.resume()
      req.on('end', () => {
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers })
        res.end(fault.body ?? JSON.stringify({ errors: [{ code: 'UNKNOWN', message: 'injected fault' }] }))
      })
      return
    }
    const upstreamReq = http.request({ host, port: Number(port), method: req.method, path: req.url, headers: req.headers }, upstreamRes => {
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers)
      upstreamRes.pipe(res)
    })
    upstreamReq.on('error', () => req.socket.destroy())
    req.pipe(upstreamReq)
  })
  server.keepAliveTimeout = 1000
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  proxy.registry = `127.0.0.1:${(server.address() as AddressInfo).port}`
  proxy.close = () =>
    new Promise(resolve => {
      for (const res of held) res.socket?.destroy()
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return proxy
}
