import { parseRepository } from '../docker/reference.js'
import type { Inputs } from '../inputs.js'
import { createRegistryClient, type RegistryClient } from './client.js'

/**
 * A client for `registry` (host[:port] as in an image reference). registry-username/registry-password are the
 * credentials of `repository`'s registry, so they are sent only there: a private mirror of the base on the same
 * registry uses them, any other registry is read anonymously (as ghcr.io serves public images).
 */
export function registryClientFor(registry: string, inputs: Pick<Inputs, 'repository' | 'registry-username' | 'registry-password'>): RegistryClient {
  const pushRegistry = inputs.repository ? parseRepository(inputs.repository)?.registry : undefined
  const credentials =
    pushRegistry === registry && inputs['registry-username'] ? { username: inputs['registry-username'], password: inputs['registry-password'] } : undefined
  return createRegistryClient({ registry, credentials })
}
