/**
 * The KOTS ConfigValues file: option names found by their role in a release's replicated/config.yaml (shaped as
 * OpenHands-Cloud's, see ../release/fixtures.ts) or built in, and the document parsed back with `yaml`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parse } from 'yaml'
import { UserError } from '../../src/errors.js'
import {
  adminConsoleOptions,
  BUILT_IN,
  BUILT_IN_OPTIONS,
  configValuesDocument,
  kotsCommand,
  optionsFromConfig,
  registryServerOf
} from '../../src/kots/config-values.js'
import { defaultConfigValuesFile, writeConfigValues } from '../../src/kots/write.js'
import { configYaml } from '../release/fixtures.js'

const SOURCE = 'OpenHands/OpenHands-Cloud'

/** The fixture's config with every custom_sandbox_image_ option renamed, as a later release might. */
const renamed = (text: string) => text.replace(/custom_sandbox_image_/g, 'sandbox_custom_')

describe('optionsFromConfig: the options by their role', () => {
  it("finds the release's four options, and they are the built-in names", () => {
    expect(optionsFromConfig(configYaml('1.41.0-python'))).toEqual({
      enabled: 'custom_sandbox_image_enabled',
      repository: 'custom_sandbox_image_repository',
      tag: 'custom_sandbox_image_tag',
      registryServer: 'custom_sandbox_image_registry_server'
    })
    expect(optionsFromConfig(configYaml('1.41.0-python'))).toEqual(BUILT_IN_OPTIONS)
  })

  it('follows renamed options by title and by the option their `when` tests', () => {
    expect(optionsFromConfig(renamed(configYaml('1.41.0-python')))).toEqual({
      enabled: 'sandbox_custom_enabled',
      repository: 'sandbox_custom_repository',
      tag: 'sandbox_custom_tag',
      registryServer: 'sandbox_custom_registry_server'
    })
  })

  it.each([
    ['no tag option', configYaml(undefined), '"Sandbox Image Tag"'],
    ['no registry server option', configYaml('1.41.0-python').replace('title: Registry Server', 'title: Registry Host Name'), '"Registry Server"'],
    [
      'a gate that is no bool',
      configYaml('1.41.0-python').replace('type: bool', 'type: text'),
      'the bool option that turns the custom sandbox image on ("Use a Custom Sandbox Image")'
    ],
    [
      'not YAML',
      'spec: [',
      'the bool option that turns the custom sandbox image on ("Use a Custom Sandbox Image"), "Sandbox Image Repository", "Sandbox Image Tag", "Registry Server"'
    ]
  ])('%s: says which roles are missing', (_name, text, missing) => {
    expect(optionsFromConfig(text)).toBe(missing)
  })
})

describe('adminConsoleOptions: from the config the release map read, else built in', () => {
  it.each([
    ['no config read (pinned, or a release-map file)', undefined, BUILT_IN],
    [
      "the release's config",
      { release: '0.45.0', config: renamed(configYaml('1.41.0-python')) },
      {
        options: {
          enabled: 'sandbox_custom_enabled',
          repository: 'sandbox_custom_repository',
          tag: 'sandbox_custom_tag',
          registryServer: 'sandbox_custom_registry_server'
        },
        from: `replicated/config.yaml at openhands/0.45.0 of ${SOURCE}`
      }
    ],
    [
      'a config without the options',
      { release: '0.51.0', config: configYaml(undefined) },
      {
        missing: '"Sandbox Image Tag"',
        from: `replicated/config.yaml at openhands/0.51.0 of ${SOURCE}`
      }
    ]
  ])('%s', (_name, mapped, expected) => {
    expect(adminConsoleOptions(mapped, SOURCE)).toEqual(expected)
  })

  it('names the release the built-in names were recorded from', () => {
    expect(BUILT_IN.from).toBe('built-in names (those of OHE 0.50.0)')
  })
})

describe('configValuesDocument parses back to exactly the image, and nothing else', () => {
  it.each([
    ['ghcr.io', 'ghcr.io/acme/openhands-sandbox', '1.41.0-a1b2c3d', 'ghcr.io'],
    ['a private registry with a port', 'registry.example.com:5443/platform/sandbox', 'weekly', 'registry.example.com:5443'],
    // Docker Hub: the kubelet looks its images up under index.docker.io, never registry-1.docker.io.
    ['Docker Hub, docker.io written', 'docker.io/acme/sandbox', '1.41.0-python-x', 'index.docker.io'],
    ['Docker Hub, no host written', 'acme/sandbox', '1.41.0', 'index.docker.io'],
    ['Docker Hub, index.docker.io written', 'index.docker.io/acme/sandbox', '1', 'index.docker.io']
  ])('%s', (_name, repository, tag, server) => {
    const text = configValuesDocument(BUILT_IN_OPTIONS, { repository, tag })
    expect(parse(text)).toEqual({
      apiVersion: 'kots.io/v1beta1',
      kind: 'ConfigValues',
      spec: {
        values: {
          custom_sandbox_image_enabled: { value: '1' },
          custom_sandbox_image_repository: { value: repository },
          custom_sandbox_image_tag: { value: tag },
          custom_sandbox_image_registry_server: { value: server }
        }
      }
    })
  })

  it('keeps a tag that YAML would read as a number a string', () => {
    const text = configValuesDocument(BUILT_IN_OPTIONS, { repository: 'ghcr.io/acme/sandbox', tag: '1.0' })
    expect((parse(text) as { spec: { values: Record<string, { value: unknown }> } }).spec.values.custom_sandbox_image_tag?.value).toBe('1.0')
  })

  it('uses the names it is given', () => {
    const options = { enabled: 'a', repository: 'b', tag: 'c', registryServer: 'd' }
    const values = (parse(configValuesDocument(options, { repository: 'ghcr.io/x/y', tag: 't' })) as { spec: { values: unknown } }).spec.values
    expect(values).toEqual({ a: { value: '1' }, b: { value: 'ghcr.io/x/y' }, c: { value: 't' }, d: { value: 'ghcr.io' } })
  })

  it('registryServerOf refuses what is no repository', () => {
    expect(() => registryServerOf('ghcr.io/acme/x:1')).toThrow("'ghcr.io/acme/x:1' is not an image repository")
  })
})

describe('kotsCommand', () => {
  it.each([
    ['values.yaml', 'openhands', 'ohe-admin', 'kubectl kots set config openhands --config-file values.yaml --merge --deploy -n ohe-admin'],
    ['values.yaml', '', '', 'kubectl kots set config <app-slug> --config-file values.yaml --merge --deploy -n <admin-console-namespace>'],
    ["it's here.yaml", 'openhands', '', `kubectl kots set config openhands --config-file 'it'\\''s here.yaml' --merge --deploy -n <admin-console-namespace>`]
  ])('%s %s %s', (file, app, namespace, command) => {
    expect(kotsCommand(file, app, namespace)).toBe(command)
  })
})

describe('writeConfigValues', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'kots-values-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))
  const image = { repository: 'ghcr.io/acme/sandbox', tag: '1.41.0-a1b2c3d' }
  const settings = { 'config-values-file': '', 'kots-app': 'openhands', 'kots-namespace': '' }

  it('writes under the temp dir by default, one file per tag, readable by the upload step', async () => {
    const report = await writeConfigValues(settings, BUILT_IN, image, dir)
    expect(report).toEqual({
      file: path.join(dir, 'ohe-config-values-1.41.0-a1b2c3d.yaml'),
      command: 'kubectl kots set config openhands --config-file ohe-config-values-1.41.0-a1b2c3d.yaml --merge --deploy -n <admin-console-namespace>',
      from: 'built-in names (those of OHE 0.50.0)'
    })
    expect(defaultConfigValuesFile(dir, image.tag)).toBe(report.file)
    expect(readFileSync(report.file, 'utf8')).toBe(configValuesDocument(BUILT_IN_OPTIONS, image))
    expect(statSync(report.file).mode & 0o777).toBe(0o644)
  })

  it('writes to config-values-file, making its folder', async () => {
    const file = path.join(dir, 'out', 'kots', 'sandbox.yaml')
    const report = await writeConfigValues({ ...settings, 'config-values-file': file }, BUILT_IN, image, dir)
    expect(report.file).toBe(file)
    expect(report.command).toContain('--config-file sandbox.yaml ')
    expect(existsSync(file)).toBe(true)
  })

  it('a release whose config lacks the options: a clear failure, no file', async () => {
    const missing = adminConsoleOptions({ release: '0.51.0', config: configYaml(undefined) }, SOURCE)
    const thrown = await writeConfigValues(settings, missing, image, dir).catch((error: unknown) => error)
    expect(thrown).toBeInstanceOf(UserError)
    expect((thrown as UserError).message).toBe(
      `replicated/config.yaml at openhands/0.51.0 of ${SOURCE} lacks the Admin Console option(s) "Sandbox Image Tag", so no KOTS ConfigValues file was written ` +
        'for ghcr.io/acme/sandbox:1.41.0-a1b2c3d (the image is pushed): ' +
        'enter its repository and tag in the Admin Console by hand, and report the changed options to this action.'
    )
    expect(existsSync(defaultConfigValuesFile(dir, image.tag))).toBe(false)
  })

  it('an unwritable path: says which and what to set', async () => {
    const blocker = path.join(dir, 'file')
    await writeConfigValues({ ...settings, 'config-values-file': blocker }, BUILT_IN, image, dir)
    const thrown = await writeConfigValues({ ...settings, 'config-values-file': path.join(blocker, 'x.yaml') }, BUILT_IN, image, dir).catch(
      (error: unknown) => error
    )
    expect((thrown as UserError).message).toMatch(
      new RegExp(`^Could not write the KOTS ConfigValues file ${path.join(blocker, 'x.yaml')} \\(.+\\): set config-values-file to a writable path\\.$`)
    )
  })
})
