/**
 * The overall read budget: a paged tag listing, a slow registry or a phase of many reads ends at one deadline, never
 * at 30 s per request times pages and retries. The registry is an injected fetch (no network).
 */
import { withReadBudget } from '../../src/registry/budget.js'
import { createRegistryClient } from '../../src/registry/client.js'
import { registryError } from './support.js'

const registry = '127.0.0.1:1'

/** Every tag page takes `delayMs` and links to one more page; the count of pages asked for is kept. */
function endlessPages(delayMs: number): { fetch: typeof fetch; pages: () => number } {
  let pages = 0
  const fetchImpl = (async (input: URL | string | Request) => {
    pages++
    await new Promise(resolve => setTimeout(resolve, delayMs))
    const url = new URL(String(input))
    const next = Number(url.searchParams.get('n') ?? '0') + 1
    return new Response(JSON.stringify({ name: 'a/b', tags: [`t${next}`] }), {
      status: 200,
      headers: { 'content-type': 'application/json', link: `</v2/a/b/tags/list?n=${next}>; rel="next"` }
    })
  }) as typeof fetch
  return { fetch: fetchImpl, pages: () => pages }
}

/** Answers 503 with Retry-After: 1 every time. */
function alwaysBusy(): typeof fetch {
  return (async () => new Response('', { status: 503, headers: { 'retry-after': '1' } })) as typeof fetch
}

describe('overall registry read budget', () => {
  it('ends a paged tag listing at the call budget, naming the registry and what was read', async () => {
    const { fetch, pages } = endlessPages(20)
    const started = Date.now()
    const error = await registryError(createRegistryClient({ registry, fetch, callBudgetMs: 300 }).listTags('a/b'))
    const elapsed = Date.now() - started
    expect(error).toMatchObject({ kind: 'timeout', registry, repository: 'a/b' })
    expect(error.message).toBe(
      `registry ${registry} did not finish reading tags of a/b within the overall time for one registry read of 0.3 s: ` +
        'is it slow or rate-limiting the runner?'
    )
    expect(elapsed).toBeGreaterThanOrEqual(290)
    expect(elapsed).toBeLessThan(1500)
    expect(pages()).toBeLessThan(30)
  })

  it('a phase budget bounds all reads inside it, across calls', async () => {
    const { fetch } = endlessPages(20)
    const client = createRegistryClient({ registry, fetch })
    const started = Date.now()
    const error = await registryError(withReadBudget('the release lookup', 250, () => client.listTags('a/b')))
    expect(error.message).toContain('within the registry read budget of the release lookup of 0.3 s')
    expect(Date.now() - started).toBeLessThan(1500)
  })

  it('a nested budget cannot extend the outer one', async () => {
    const { fetch } = endlessPages(20)
    const client = createRegistryClient({ registry, fetch })
    const error = await registryError(withReadBudget('outer', 200, () => withReadBudget('inner', 60_000, () => client.listTags('a/b'))))
    expect(error.message).toContain('registry read budget of outer of 0.2 s')
  })

  it('does not start a retry wait that ends past the budget: the status is the answer', async () => {
    const started = Date.now()
    const client = createRegistryClient({ registry, fetch: alwaysBusy(), retries: 5, callBudgetMs: 500 })
    const error = await registryError(client.getManifest('a/b', 'x'))
    expect(error).toMatchObject({ kind: 'server', status: 503 })
    expect(Date.now() - started).toBeLessThan(400)
  })

  it('a request that hangs ends at the budget when that is nearer than the per-request timeout', async () => {
    const hang = ((_input: URL | string | Request, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error))
      })) as typeof fetch
    const started = Date.now()
    const error = await registryError(createRegistryClient({ registry, fetch: hang, timeoutMs: 30_000, callBudgetMs: 200 }).tagExists('a/b', 'x'))
    expect(error).toMatchObject({ kind: 'timeout' })
    expect(error.message).toContain('within the overall time for one registry read of 0.2 s')
    expect(Date.now() - started).toBeLessThan(1500)
  })
})
