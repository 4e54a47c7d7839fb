import { parseRepository } from '../grammar.js'
import {
  createRegistryClient,
  type BlobDescriptor,
  type BlobSource,
  type Platform,
  type RegistryClient,
  type RegistryCredentials,
  type TransferOptions
} from './client.js'
import { dockerLoginFor } from './docker-credentials.js'
import { RegistryError } from './errors.js'

/** The push repository and its credentials, named as in action.yml. */
export interface RegistryInputs {
  repository: string
  'registry-username': string
  'registry-password': string
}

/** Which credentials a registry was read with, for messages. */
export type CredentialsTried =
  | { kind: 'inputs' }
  | { kind: 'docker'; source: string }
  /** `docker`: why docker had none, e.g. "docker has no login for ghcr.io in /root/.docker/config.json". */
  | { kind: 'none'; docker: string }

/**
 * The run's registry clients: made once per run (main.ts, beside the plan) and handed down to every place that reads
 * a registry, so each registry has one client for the run, which keeps its tokens, its learned auth scheme and the
 * docker login it read. A new run, or a test, makes a new one and starts clean.
 */
export interface RunRegistries {
  /**
   * The client for `registry` (host[:port] as in an image reference), with the credentials docker would use there:
   * registry-username/registry-password for `repository`'s registry (and only there, as they are its credentials);
   * otherwise docker's own login for the registry (config.json or its credential helper, as `docker login` or
   * docker/login-action left it, read on first use); otherwise none.
   *
   * A refusal (401/403) comes back as a RegistryError saying which credentials were tried and how to give the right
   * ones (explainRefusal), so every caller reports it the same way.
   */
  client(registry: string): RegistryClient
}

export function runRegistries(inputs: RegistryInputs): RunRegistries {
  // Only the three settings the clients need, as they are now: the run's settings do not change.
  const settings: RegistryInputs = {
    repository: inputs.repository,
    'registry-username': inputs['registry-username'],
    'registry-password': inputs['registry-password']
  }
  const clients = new Map<string, RegistryClient>()
  return {
    client(registry: string): RegistryClient {
      let client = clients.get(registry)
      if (!client) {
        client = new ClientForRun(registry, settings, inputsCredentialsFor(registry, settings))
        clients.set(registry, client)
      }
      return client
    }
  }
}

/** registry-username/registry-password when `registry` is repository's registry and they are set. */
function inputsCredentialsFor(registry: string, inputs: RegistryInputs): RegistryCredentials | undefined {
  const username = inputs['registry-username']
  return username && pushRegistryOf(inputs) === registry ? { username, password: inputs['registry-password'] } : undefined
}

function pushRegistryOf(inputs: RegistryInputs): string | undefined {
  return inputs.repository ? parseRepository(inputs.repository)?.registry : undefined
}

/** Finds docker's credentials on first use (they may take a credential helper run), then reads through one client. */
class ClientForRun implements RegistryClient {
  private client: Promise<{ client: RegistryClient; tried: CredentialsTried }> | undefined

  constructor(
    readonly registry: string,
    private readonly inputs: RegistryInputs,
    private readonly explicit: RegistryCredentials | undefined
  ) {}

  listTags(repository: string): Promise<string[]> {
    return this.read(client => client.listTags(repository))
  }

  getManifest(repository: string, reference: string) {
    return this.read(client => client.getManifest(repository, reference))
  }

  getImageConfig(repository: string, reference: string, platform?: Platform) {
    return this.read(client => client.getImageConfig(repository, reference, platform))
  }

  tagExists(repository: string, tag: string): Promise<boolean> {
    return this.read(client => client.tagExists(repository, tag))
  }

  hasBlob(repository: string, digest: string): Promise<boolean> {
    return this.read(client => client.hasBlob(repository, digest))
  }

  openBlob(repository: string, blob: BlobDescriptor, transfer: TransferOptions): Promise<ReadableStream<Uint8Array>> {
    return this.read(client => client.openBlob(repository, blob, transfer))
  }

  pushBlob(repository: string, blob: BlobDescriptor, source: BlobSource, transfer: TransferOptions & { mountFrom?: string }): Promise<'mounted' | 'uploaded'> {
    return this.read(client => client.pushBlob(repository, blob, source, transfer))
  }

  putManifest(repository: string, reference: string, mediaType: string, body: Uint8Array): Promise<string> {
    return this.read(client => client.putManifest(repository, reference, mediaType, body))
  }

  private async read<T>(call: (client: RegistryClient) => Promise<T>): Promise<T> {
    this.client ??= this.connect()
    const { client, tried } = await this.client
    try {
      return await call(client)
    } catch (thrown) {
      throw thrown instanceof RegistryError ? explainRefusal(thrown, tried, this.inputs) : thrown
    }
  }

  private async connect(): Promise<{ client: RegistryClient; tried: CredentialsTried }> {
    const { registry, explicit } = this
    if (explicit) return { client: createRegistryClient({ registry, credentials: explicit }), tried: { kind: 'inputs' } }
    const login = await dockerLoginFor(registry)
    if (login.found) return { client: createRegistryClient({ registry, credentials: login.credentials }), tried: { kind: 'docker', source: login.source } }
    return { client: createRegistryClient({ registry }), tried: { kind: 'none', docker: login.reason } }
  }
}

/**
 * A 401/403 RegistryError told the way this action gives credentials: which ones were tried (the inputs for
 * repository's registry, docker's login for the registry, or none) and what to do. The client's own advice ("set
 * registry-username/registry-password") is dropped: it cannot help on a registry they are not sent to. Any other
 * error is returned as it is.
 */
export function explainRefusal(error: RegistryError, tried: CredentialsTried, inputs: RegistryInputs): RegistryError {
  if (error.kind !== 'unauthorized' && error.kind !== 'forbidden') return error
  const { registry } = error
  const push = pushRegistryOf(inputs)
  const what = error.message
    .replace('the registry rejected registry-username/registry-password; check them', 'the registry rejected the credentials')
    .replace('; set registry-username/registry-password', '')

  let triedText: string
  if (tried.kind === 'inputs') triedText = `registry-username/registry-password (for ${registry}, repository's registry)`
  else if (tried.kind === 'docker') triedText = `docker's login for ${registry} (from ${tried.source})`
  else triedText = `none (${tried.docker})`

  const login = `log in to ${registry} with docker login or docker/login-action before this step`
  let advice: string
  if (tried.kind === 'inputs') {
    advice =
      error.kind === 'unauthorized'
        ? 'check registry-username/registry-password'
        : `use registry-username/registry-password that may ${error.push ? 'push to' : 'pull'} ${error.repository ?? 'the repository'}`
  } else if (push === registry) {
    advice = `set registry-username/registry-password (they are sent only to ${registry}) or ${login}`
  } else {
    const only = push ? `only to ${push}, repository's registry` : "only to repository's registry, and repository is not set"
    advice = `${login} (registry-username/registry-password are sent ${only})`
  }
  return new RegistryError(`${what}. Credentials tried: ${triedText}. To fix: ${advice}`, error.kind, registry, error.repository, error.status, error.push)
}
