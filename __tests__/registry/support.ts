import { RegistryError } from '../../src/registry/client.js'

/** The RegistryError a promise rejects with (failing the test when it resolves or throws something else). */
export async function registryError(promise: Promise<unknown>): Promise<RegistryError> {
  try {
    await promise
  } catch (thrown) {
    if (thrown instanceof RegistryError) return thrown
    throw thrown
  }
  throw new Error('expected a RegistryError')
}
