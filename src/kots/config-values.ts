/**
 * The pushed image handed to the OHE Admin Console as a KOTS ConfigValues document (`kubectl kots set config
 * --config-file`), so an administrator applies it instead of retyping repository and tag. Pure: a release's
 * replicated/config.yaml text in, the custom-sandbox-image option names out; names and image in, YAML text out.
 *
 * Facts (OpenHands/OpenHands-Cloud, replicated/config.yaml, group sandbox_configuration): a bool option titled "Use a
 * Custom Sandbox Image" gates, through `when: repl{{ ConfigOptionEquals "<it>" "1" }}`, the text options "Sandbox
 * Image Repository", "Sandbox Image Tag" (the release map's `custom_sandbox_image_tag`) and "Registry Server" (the
 * key of the image pull secret's `auths`, host and optional port), then the registry username and password, which
 * stay the administrator's to enter: nothing secret goes into the file.
 */
import { parse, stringify } from 'yaml'
import { parseRepository } from '../grammar.js'
import { CONFIG_FILE, CONFIG_OPTION, OHE_TAG_PREFIX } from '../release/map.js'

/** The Admin Console options that select a custom sandbox image, by their names in one release. */
export interface CustomImageOptions {
  enabled: string
  repository: string
  tag: string
  registryServer: string
}

/**
 * Built in for runs that read no config.yaml (agent-server-version pinned, or a release-map file): the names at
 * openhands/0.50.0, the newest release checked (2026-12), unchanged since openhands/0.7.23, the first that has them.
 */
export const BUILT_IN_OPTIONS: CustomImageOptions = Object.freeze({
  enabled: 'custom_sandbox_image_enabled',
  repository: 'custom_sandbox_image_repository',
  tag: CONFIG_OPTION,
  registryServer: 'custom_sandbox_image_registry_server'
})
export const BUILT_IN_RELEASE = '0.50.0'

/** The option names and where they come from; `missing` when the release's config.yaml was read and lacks some. */
export type AdminConsoleOptions = { options: CustomImageOptions; from: string } | { missing: string; from: string }

export const BUILT_IN: AdminConsoleOptions = { options: BUILT_IN_OPTIONS, from: `built-in names (those of OHE ${BUILT_IN_RELEASE})` }

/** Names from the config.yaml the release map read (`source`: release-source), else the built-in ones. */
export function adminConsoleOptions(mapped: { release: string; config?: string } | undefined, source: string): AdminConsoleOptions {
  if (mapped?.config === undefined) return BUILT_IN
  const from = `${CONFIG_FILE} at ${OHE_TAG_PREFIX}${mapped.release} of ${source}`
  const options = optionsFromConfig(mapped.config)
  return typeof options === 'string' ? { missing: options, from } : { options, from }
}

const ROLES: Record<keyof CustomImageOptions, string> = {
  enabled: 'the bool option that turns the custom sandbox image on ("Use a Custom Sandbox Image")',
  repository: '"Sandbox Image Repository"',
  tag: '"Sandbox Image Tag"',
  registryServer: '"Registry Server"'
}

interface Item {
  name: string
  title: string
  type: string
  when: string
}

/**
 * The options found by their role, not their names: the tag option (by name, as the release map finds it, or by
 * title), the repository by its title, the bool option their `when` tests, and the registry server gated alike. A
 * string says which roles the file lacks.
 */
export function optionsFromConfig(configText: string): CustomImageOptions | string {
  const items = configItems(parseYaml(configText))
  const tag = items.find(item => item.name === CONFIG_OPTION) ?? items.find(item => /^sandbox image tag$/i.test(item.title))
  const repository = items.find(item => item.type === 'text' && /^sandbox image repository$/i.test(item.title))
  // The custom image's options are shown only while its bool option is ticked: their `when` names it.
  const when = tag?.when || repository?.when || ''
  const gate = /ConfigOptionEquals\s+"([^"]+)"\s+"1"/.exec(when)?.[1]
  const enabled = items.find(item => item.name === gate && item.type === 'bool')
  const server = items.find(item => item.type === 'text' && item.when === when && /registry server/i.test(item.title))
  const found: Partial<CustomImageOptions> = { enabled: enabled?.name, repository: repository?.name, tag: tag?.name, registryServer: server?.name }
  const missing = (Object.keys(ROLES) as Array<keyof CustomImageOptions>).filter(role => found[role] === undefined)
  if (missing.length > 0) return missing.map(role => ROLES[role]).join(', ')
  return found as CustomImageOptions
}

function configItems(document: unknown): Item[] {
  const groups = field(field(document, 'spec'), 'groups')
  if (!Array.isArray(groups)) return []
  const items: Item[] = []
  for (const group of groups) {
    const list = field(group, 'items')
    if (!Array.isArray(list)) continue
    for (const item of list) {
      const name = field(item, 'name')
      if (typeof name !== 'string') continue
      items.push({ name, title: text(field(item, 'title')), type: text(field(item, 'type')), when: text(field(item, 'when')) })
    }
  }
  return items
}

/**
 * The Registry Server value for a repository: its host[:port] as written. Docker Hub's is `index.docker.io`: the
 * chart puts the value as the key of the pull secret's `auths`, and the kubelet's keyring looks Docker Hub images
 * (docker.io/…, or no host at all) up under `index.docker.io` (what `https://index.docker.io/v1/`, Docker's and
 * `kubectl create secret docker-registry`'s default, also becomes); `registry-1.docker.io` would match no image.
 */
export function registryServerOf(repository: string): string {
  const parsed = parseRepository(repository)
  if (parsed === undefined) throw new Error(`'${repository}' is not an image repository`)
  return parsed.registry === 'docker.io' ? 'index.docker.io' : parsed.registry
}

export interface AdminConsoleImage {
  /** As pushed (the `repository` output), without tag. */
  repository: string
  tag: string
}

/** The ConfigValues document (kots.io/v1beta1) that selects the image; no credentials. */
export function configValuesDocument(options: CustomImageOptions, image: AdminConsoleImage): string {
  const values = {
    [options.enabled]: { value: '1' },
    [options.repository]: { value: image.repository },
    [options.tag]: { value: image.tag },
    [options.registryServer]: { value: registryServerOf(image.repository) }
  }
  return stringify({ apiVersion: 'kots.io/v1beta1', kind: 'ConfigValues', spec: { values } }, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' })
}

/** What the administrator runs with the file; placeholders where kots-app or kots-namespace was not given. */
export function kotsCommand(file: string, app: string, namespace: string): string {
  return `kubectl kots set config ${app || '<app-slug>'} --config-file ${shellWord(file)} --merge --deploy -n ${namespace || '<admin-console-namespace>'}`
}

/** A file name as one shell word: as is when plain, else single-quoted. */
function shellWord(word: string): string {
  return /^[\w./:@%+=-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
}

function parseYaml(configText: string): unknown {
  try {
    return parse(configText)
  } catch {
    // Not YAML: it has none of the options, which the caller reports.
    return undefined
  }
}

function field(value: unknown, name: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined
  return (value as Record<string, unknown>)[name]
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : ''
}
