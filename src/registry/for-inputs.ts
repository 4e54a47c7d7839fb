import { parseRepository } from '../docker/reference.js'
import type { Inputs } from '../inputs.js'
import { createRegistryClient, type RegistryClient } from './client.js'

type RegistryInputs = Pick<Inputs, 'repository' | 'registry-username' | 'registry-password'>

/** One client per registry and credentials for the whole run: it keeps its tokens and learned auth scheme. */
const clients = new Map<string, RegistryClient>()

/**
 * A client for `registry` (host[:port] as in an image reference). registry-username/registry-password are the
 * credentials of `repository`'s registry, so they are sent only there: a private mirror of the base on the same
 * registry uses them, any other registry is read anonymously (as ghcr.io serves public images).
 */
export function registryClientFor(registry: string, inputs: RegistryInputs): RegistryClient {
  const pushRegistry = inputs.repository ? parseRepository(inputs.repository)?.registry : undefined
  const credentials =
    pushRegistry === registry && inputs['registry-username'] ? { username: inputs['registry-username'], password: inputs['registry-password'] } : undefined
  // The key stays in this process's memory only; it is never logged.
  const key = JSON.stringify([registry, credentials?.username ?? '', credentials?.password ?? ''])
  let client = clients.get(key)
  if (!client) {
    client = createRegistryClient({ registry, credentials })
    clients.set(key, client)
  }
  return client
}
