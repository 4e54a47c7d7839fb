import * as core from '@actions/core'
import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { ENV_NAME, isInputVariable } from './child-env.js'
import { parseProvenance, parseSbom, type Provenance, type Sbom } from './buildx/attestations.js'
import { checkSecretIds } from './buildx/secret-files.js'
import { parseRepository, type MatchMode } from './grammar.js'
import { UserError } from './errors.js'
import { checkInputText, parseCount, parseDuration } from './input-text.js'
import { rememberSecret } from './redaction.js'
import { isCosignKey } from './sign/cosign.js'
import { parseAgentServerVersion, parseOheRelease, VARIANT_NAME, type OheReleaseInput } from './release/target-inputs.js'
import { parseMaxReadySeconds, parseSandboxCommands } from './verify/sandbox-command-core.js'
import { parseCpuQuantity, parseMemoryQuantity, type Parsed } from './verify/quantity.js'
import { parseSize } from './verify/size.js'

/** Every input of action.yml, parsed and validated; keys are the action.yml names. */
export interface Inputs {
  /** The OHE release to build for (resolved through the release map); undefined when agent-server-version pins the base. */
  'ohe-release': OheReleaseInput | undefined
  /** The agent-server version X.Y.Z pinned directly; empty when ohe-release names the target. */
  'agent-server-version': string
  /** `owner/name` whose `openhands/X.Y.Z` tags define the release map. */
  'release-source': string
  /** Absolute path of the release-map file, or empty (read the map from release-source). */
  'release-map': string
  'base-image': string
  variant: string
  match: MatchMode
  /** Absolute path of the build context folder. */
  context: string
  /** Absolute path of the Dockerfile. */
  file: string
  target: string
  'build-args': Record<string, string>
  repository: string
  /** Empty: `<release>-<short sha>`, chosen when the release is known. */
  tag: string
  'extra-tags': string[]
  labels: Record<string, string>
  build: boolean
  push: boolean
  /** Skip the build when the image at the tag was built from the same base digest and revision. */
  'skip-unchanged': boolean
  'registry-username': string
  'registry-password': string
  secrets: Array<{ id: string; value: string }>
  /** Build secrets from files: `id=path` lines, paths absolute (resolved against the workspace). */
  'secret-files': Array<{ id: string; path: string }>
  /** `--ssh` values: `default` or `id=path[,path]`. */
  ssh: string[]
  /** Verify the built image (secret scan of its layers and config, boot check) before pushing it. */
  verify: boolean
  /** Seconds the boot check waits for the server; undefined: what the runtime's startup probe allows. */
  'boot-timeout'?: number
  /** The sandbox limits the boot check runs under (bytes, cores); undefined: the release's Admin Console defaults. */
  'sandbox-memory'?: number
  'sandbox-cpus'?: number
  /** Shell command lines run in the booted sandbox, in order, through the agent-server's command API. */
  'sandbox-commands': string[]
  /** Deadline of each sandbox command in ms (at least 1 s). Default 10 min. */
  'sandbox-command-timeout': number
  /** Fail when container start to healthy plus the sandbox commands takes longer, in seconds; undefined: no limit. */
  'max-ready-seconds'?: number
  /** Fail when the layers added over the base exceed this many compressed bytes; undefined: no limit. */
  'max-added-size'?: number
  'cache-from': string[]
  'cache-to': string[]
  builder: string
  scan: boolean
  /** .dockerignore-style patterns, relative to the context, of files not to scan. */
  'scan-exclude': string[]
  /** Absolute path of the fingerprint ignore file (it need not exist). */
  'scan-ignore-file': string
  'fail-on-findings': boolean
  /** Findings inside installed third-party packages: `notice` (never fail) or `fail`. */
  'scan-installed-packages': 'notice' | 'fail'
  /** Absolute path for the SARIF file, or empty. */
  sarif: string
  'github-token': string
  /** Overall deadline of each build/push in ms; 0 for none (the default). */
  timeout: number
  /** Kill a build/push that printed nothing new for this long, in ms; 0 for never. Default 10 min. */
  'push-stall-timeout': number
  /** Retries of a push that failed for a transient reason (5xx, 429, a reset connection). Default 2. */
  'push-retries': number
  /** SLSA provenance attached to the pushed image (build-push-action's input): false, or BuildKit's mode and attributes. */
  provenance: Provenance
  /** An SBOM attestation attached to the pushed image: false, or BuildKit's scanner (a generator image of one's own). */
  sbom: Sbom
  /** Sign the pushed digest with cosign. */
  sign: boolean
  /** The PEM text of a cosign private key (or a KMS URI); empty: keyless with the job's OIDC token. Secret. */
  'cosign-key': string
  /** The password of cosign-key. Secret. */
  'cosign-password': string
  /** Record the signature in Sigstore's transparency log (Rekor). */
  'sign-tlog-upload': boolean
  /** More environment variable names docker, buildx and credential helpers get (beyond PATH, HOME, DOCKER_* …). */
  'docker-env': string[]
  /** Absolute path of the KOTS ConfigValues file, or empty (RUNNER_TEMP). */
  'config-values-file': string
  /** The app slug and the Admin Console's namespace for the `kubectl kots set config` command; empty: placeholders. */
  'kots-app': string
  'kots-namespace': string
}

/** Defaults of the deadline inputs. */
export const DEFAULT_STALL_TIMEOUT_MS = 10 * 60_000
export const DEFAULT_PUSH_RETRIES = 2
export const DEFAULT_SANDBOX_COMMAND_TIMEOUT_MS = 10 * 60_000

/** Reads one input by name; core.getInput in the action, a plain record in tests. */
export type InputSource = (name: string) => string

export const actionInputs: InputSource = name => core.getInput(name)

/** Reads and validates all inputs at once, so a bad value fails before any work starts. */
export function readInputs(source: InputSource, workspace: string): Inputs {
  // Every input is checked for control characters before anything quotes, logs or passes it on.
  const read: InputSource = name => {
    const value = source(name)
    checkInputText(name, value)
    return value
  }
  const variant = read('variant').trim() || 'python'
  if (!VARIANT_NAME.test(variant)) {
    throw new UserError(`variant '${variant}' is not a variant name. Expected one such as python, java, golang, python-slim or python-minimal.`)
  }

  const baseVersion = readTarget(read, variant)
  const releaseSource = read('release-source').trim() || 'OpenHands/OpenHands-Cloud'
  if (!/^[\w.-]+\/[\w.-]+$/.test(releaseSource) || releaseSource.split('/').some(part => /^\.+$/.test(part))) {
    throw new UserError(`release-source '${releaseSource}' is not a repository. Expected owner/name, e.g. OpenHands/OpenHands-Cloud.`)
  }
  const releaseMapInput = read('release-map').trim()

  const baseImage = read('base-image').trim() || 'ghcr.io/openhands/agent-server'
  if (!parseRepository(baseImage)) {
    throw new UserError(`base-image '${baseImage}' is not an image repository. Expected a name without tag, e.g. ghcr.io/openhands/agent-server.`)
  }

  const match = read('match').trim() || 'exact'
  if (match !== 'exact' && match !== 'minor') {
    throw new UserError(`match '${match}' is not supported. Expected exact or minor.`)
  }

  const context = path.resolve(workspace, read('context').trim() || '.')
  if (!existsSync(context))
    throw new UserError(`context '${read('context').trim() || '.'}' does not exist. Set context to the folder that holds your build files.`)
  if (!statSync(context).isDirectory())
    throw new UserError(`context '${path.relative(workspace, context)}' is not a folder. Set context to the folder that holds your build files.`)
  const fileInput = read('file').trim()
  const file = fileInput ? path.resolve(workspace, fileInput) : path.join(context, 'Dockerfile')

  const build = readBoolean(read, 'build', true)
  const push = readBoolean(read, 'push', true)
  const repository = read('repository').trim()
  if (repository && !parseRepository(repository)) {
    throw new UserError(
      `repository '${repository}' is not an image repository. Expected a lowercase name without tag or digest, e.g. ghcr.io/acme/openhands-sandbox.`
    )
  }
  if (build && push && !repository) {
    throw new UserError(
      'repository is required when push is true: set it to the image repository to push, e.g. ghcr.io/acme/openhands-sandbox, or set push: false.'
    )
  }

  const username = read('registry-username').trim()
  const password = read('registry-password')
  if (password) {
    core.setSecret(password)
    rememberSecret(password)
  }
  if (Boolean(username) !== Boolean(password)) {
    throw new UserError('registry-username and registry-password go together: set both, or neither to use the credentials docker already has.')
  }

  const secrets = readPairs(read, 'secrets', 'id=value').map(([id, value]) => {
    if (value) {
      core.setSecret(value)
      rememberSecret(value)
    }
    return { id, value }
  })
  checkSecretIds(secrets)
  const secretFiles = readSecretFiles(read, workspace)
  checkSecretIds([...secrets, ...secretFiles])
  const ssh = splitList(read('ssh'), /\n/)
  for (const entry of ssh) {
    if (!/^[A-Za-z0-9_.-]+(=\S.*)?$/.test(entry)) {
      throw new UserError(`ssh: '${entry}' is not an SSH entry. Expected default, or id=path to an agent socket or key, one per line.`)
    }
  }
  const bootTimeoutText = read('boot-timeout').trim()
  const bootTimeout = bootTimeoutText === '' ? undefined : Number(bootTimeoutText)
  if (bootTimeout !== undefined && (!/^\d+$/.test(bootTimeoutText) || bootTimeout < 1 || bootTimeout > 3600)) {
    throw new UserError(`boot-timeout '${bootTimeoutText}' is not a number of seconds from 1 to 3600. Expected e.g. 120.`)
  }
  const commandTimeout = parseDuration('sandbox-command-timeout', read('sandbox-command-timeout')) ?? DEFAULT_SANDBOX_COMMAND_TIMEOUT_MS
  if (commandTimeout < 1000) {
    throw new UserError(`sandbox-command-timeout '${read('sandbox-command-timeout').trim()}' is no deadline. Expected at least 1s, e.g. 90s, 10m or 1h.`)
  }
  const maxReady = parseMaxReadySeconds(read('max-ready-seconds'))
  const sandboxMemory = readQuantity(read, 'sandbox-memory', parseMemoryQuantity)
  const sandboxCpus = readQuantity(read, 'sandbox-cpus', parseCpuQuantity)
  const maxAddedText = read('max-added-size').trim()
  const maxAdded = maxAddedText ? parseSize(maxAddedText, 'max-added-size') : undefined

  const githubToken = read('github-token').trim()
  if (githubToken) {
    core.setSecret(githubToken)
    rememberSecret(githubToken)
  }
  const installedPackages = read('scan-installed-packages').trim() || 'notice'
  if (installedPackages !== 'notice' && installedPackages !== 'fail') {
    throw new UserError(`scan-installed-packages '${installedPackages}' is not supported. Expected notice or fail.`)
  }
  const dockerEnv = splitList(read('docker-env'), /[\n,]/)
  for (const name of dockerEnv) {
    if (!ENV_NAME.test(name) || isInputVariable(name)) {
      throw new UserError(
        `docker-env '${name}' is not an environment variable name docker may get. Expected names such as AWS_PROFILE, one per line; INPUT_* names are never passed.`
      )
    }
  }
  const cosignKey = readSecret(read, 'cosign-key')
  const cosignPassword = readSecret(read, 'cosign-password')
  if (cosignKey && !isCosignKey(cosignKey)) {
    // Never quoted: it is a secret, whatever it holds.
    throw new UserError(
      'cosign-key is not a cosign private key. Expected the PEM text of cosign.key (-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----…), ' +
        'e.g. cosign-key: ${{ secrets.COSIGN_PRIVATE_KEY }}, or a KMS URI such as awskms://…; leave it empty to sign keyless.'
    )
  }
  if (cosignPassword && !cosignKey)
    throw new UserError('cosign-password is set but cosign-key is not: the password belongs to a key; set both, or neither to sign keyless.')
  const kotsApp = readKubernetesName(read, 'kots-app', 'the app slug, e.g. openhands')
  const kotsNamespace = readKubernetesName(read, 'kots-namespace', 'the namespace the Admin Console runs in')
  const configValuesInput = read('config-values-file').trim()
  const sarifInput = read('sarif').trim()
  const ignoreFileInput = read('scan-ignore-file').trim()
  return {
    ...baseVersion,
    'release-source': releaseSource,
    'release-map': releaseMapInput ? path.resolve(workspace, releaseMapInput) : '',
    'base-image': baseImage,
    variant,
    match,
    context,
    file,
    target: read('target').trim(),
    'build-args': Object.fromEntries(readPairs(read, 'build-args', 'NAME=value')),
    repository,
    tag: read('tag').trim(),
    'extra-tags': splitList(read('extra-tags'), /[\n,]/),
    labels: Object.fromEntries(readPairs(read, 'labels', 'key=value')),
    build,
    push,
    'skip-unchanged': readBoolean(read, 'skip-unchanged', false),
    'registry-username': username,
    'registry-password': password,
    secrets,
    'secret-files': secretFiles,
    ssh,
    verify: readBoolean(read, 'verify', true),
    ...(bootTimeout === undefined ? {} : { 'boot-timeout': bootTimeout }),
    ...(sandboxMemory === undefined ? {} : { 'sandbox-memory': sandboxMemory }),
    ...(sandboxCpus === undefined ? {} : { 'sandbox-cpus': sandboxCpus }),
    'sandbox-commands': parseSandboxCommands(read('sandbox-commands')),
    'sandbox-command-timeout': commandTimeout,
    ...(maxReady === undefined ? {} : { 'max-ready-seconds': maxReady }),
    ...(maxAdded === undefined ? {} : { 'max-added-size': maxAdded }),
    'cache-from': splitList(read('cache-from'), /\n/),
    'cache-to': splitList(read('cache-to'), /\n/),
    builder: read('builder').trim(),
    scan: readBoolean(read, 'scan', true),
    'scan-exclude': splitList(read('scan-exclude'), /\n/),
    'scan-ignore-file': ignoreFileInput ? path.resolve(workspace, ignoreFileInput) : path.join(context, '.sandbox-scan-ignore'),
    'fail-on-findings': readBoolean(read, 'fail-on-findings', true),
    'scan-installed-packages': installedPackages,
    sarif: sarifInput ? path.resolve(workspace, sarifInput) : '',
    'github-token': githubToken,
    timeout: parseDuration('timeout', read('timeout')) ?? 0,
    'push-stall-timeout': parseDuration('push-stall-timeout', read('push-stall-timeout')) ?? DEFAULT_STALL_TIMEOUT_MS,
    'push-retries': parseCount('push-retries', read('push-retries'), 10) ?? DEFAULT_PUSH_RETRIES,
    provenance: parseProvenance(read('provenance')),
    sbom: parseSbom(read('sbom')),
    sign: readBoolean(read, 'sign', false),
    'cosign-key': cosignKey,
    'cosign-password': cosignPassword,
    'sign-tlog-upload': readBoolean(read, 'sign-tlog-upload', true),
    'docker-env': dockerEnv,
    'config-values-file': configValuesInput ? path.resolve(workspace, configValuesInput) : '',
    'kots-app': kotsApp,
    'kots-namespace': kotsNamespace
  }
}

/** A lowercase Kubernetes name (RFC 1123 label), as KOTS app slugs and namespaces are; empty when not set. */
function readKubernetesName(read: InputSource, name: string, meaning: string): string {
  const value = read(name).trim()
  if (value && !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(value)) {
    throw new UserError(`${name} '${value}' is not a Kubernetes name. Expected ${meaning}: lowercase letters, digits and '-', at most 63.`)
  }
  return value
}

/** Exactly one of ohe-release and agent-server-version names the base version. */
function readTarget(read: InputSource, variant: string): Pick<Inputs, 'ohe-release' | 'agent-server-version'> {
  const releaseText = read('ohe-release').trim()
  const versionText = read('agent-server-version').trim()
  if (releaseText && versionText) {
    throw new UserError(
      `ohe-release '${releaseText}' and agent-server-version '${versionText}' are both set: keep ohe-release to build for an OHE release, or agent-server-version to pin the base.`
    )
  }
  if (versionText) {
    const version = parseAgentServerVersion(versionText, variant)
    if (typeof version !== 'string') throw new UserError(version.problem)
    return { 'ohe-release': undefined, 'agent-server-version': version }
  }
  if (!releaseText) {
    throw new UserError(
      'ohe-release is required: set it to the OHE release you run or will install (e.g. 0.45.0, or latest), or pin agent-server-version (e.g. 1.41.0).'
    )
  }
  const release = parseOheRelease(releaseText)
  if (typeof release === 'string') throw new UserError(release)
  return { 'ohe-release': release, 'agent-server-version': '' }
}

/** `secret-files`: `id=path` lines; each file must exist (its contents are never read here). */
function readSecretFiles(read: InputSource, workspace: string): Array<{ id: string; path: string }> {
  return readPairs(read, 'secret-files', 'id=path').map(([id, file]) => {
    const resolved = path.resolve(workspace, file.trim())
    if (!file.trim() || !existsSync(resolved) || !statSync(resolved).isFile()) {
      throw new UserError(`secret-files: '${id}' names '${file.trim()}', which is not a file. Write id=path to a file in the workspace or on the runner.`)
    }
    return { id, path: resolved }
  })
}

/** A secret input, masked in the log and redacted everywhere else, line by line for a PEM key. */
function readSecret(read: InputSource, name: string): string {
  const value = read(name)
  if (value.trim()) {
    core.setSecret(value)
    for (const line of value.split(/\r?\n/)) if (line.trim().length >= 8) core.setSecret(line.trim())
    rememberSecret(value)
  }
  return value.trim() ? value : ''
}

/** A Kubernetes quantity input (sandbox-memory, sandbox-cpus); undefined when empty. */
function readQuantity(read: InputSource, name: string, parse: (text: string, input: string) => Parsed<number>): number | undefined {
  const text = read(name).trim()
  if (text === '') return undefined
  const parsed = parse(text, name)
  if ('error' in parsed) throw new UserError(parsed.error)
  return parsed.value
}

function readBoolean(read: InputSource, name: string, fallback: boolean): boolean {
  const value = read(name).trim()
  if (!value) return fallback
  if (/^(true|True|TRUE)$/.test(value)) return true
  if (/^(false|False|FALSE)$/.test(value)) return false
  throw new UserError(`${name} '${value}' is not a boolean. Expected true or false.`)
}

function splitList(text: string, separator: RegExp): string[] {
  return text
    .split(separator)
    .map(item => item.trim())
    .filter(item => item !== '')
}

/** `NAME=value` lines; the value keeps everything after the first `=`, spaces included. */
function readPairs(read: InputSource, name: string, form: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = []
  read(name)
    .split(/\r?\n/)
    .forEach((raw, index) => {
      if (!raw.trim()) return
      const line = raw.replace(/^\s+/, '')
      const equals = line.indexOf('=')
      const key = equals > 0 ? line.slice(0, equals).trim() : ''
      // Never quote the line itself: `secrets` lines hold secret values.
      if (!key || /\s/.test(key)) throw new UserError(`${name}: line ${index + 1} is not ${form}. Write one ${form} per line.`)
      pairs.push([key, line.slice(equals + 1)])
    })
  return pairs
}
