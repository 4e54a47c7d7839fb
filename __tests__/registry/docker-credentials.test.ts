/**
 * Docker's own credentials, found as the docker CLI finds them: a table over config.json forms (auths entries and
 * their keys, credHelpers/credsStore, broken files), then real files and a real credential helper: a
 * `docker-credential-test` script written into a temp dir put on PATH.
 */
import { Buffer } from 'node:buffer'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { DOCKER_HUB_KEY, dockerConfigFile, dockerLoginFor, loginInConfig, readDockerLogin, type DockerLogin } from '../../src/registry/docker-credentials.js'
import { forgetSecrets, redact } from '../../src/redaction.js'
import { scratchDir } from '../support/scratch.js'

const FILE = '/home/runner/.docker/config.json'
const b64 = (text: string): string => Buffer.from(text).toString('base64')
const found = (username: string, password: string, source = FILE): DockerLogin => ({ found: true, credentials: { username, password }, source })
const none = (reason: string): DockerLogin => ({ found: false, reason })
const auths = (entries: Record<string, unknown>): string => JSON.stringify({ auths: entries })

describe('loginInConfig: what config.json says about a registry', () => {
  const rows: [string, string, string, DockerLogin | { helper: string }][] = [
    // 1-4: the auths keys docker matches, host as is first
    ['host as is', auths({ 'ghcr.io': { auth: b64('bot:s3cret') } }), 'ghcr.io', found('bot', 's3cret')],
    ['https://host', auths({ 'https://ghcr.io': { auth: b64('bot:s3cret') } }), 'ghcr.io', found('bot', 's3cret')],
    ['http://host with a port', auths({ 'http://127.0.0.1:5000': { auth: b64('ci:pw') } }), '127.0.0.1:5000', found('ci', 'pw')],
    ['https://host/v2/ (the host of a URL key)', auths({ 'https://registry.example.com/v2/': { auth: b64('u:p') } }), 'registry.example.com', found('u', 'p')],
    [
      'the exact key wins over a URL key of the same host',
      auths({ 'https://ghcr.io': { auth: b64('url:one') }, 'ghcr.io': { auth: b64('exact:two') } }),
      'ghcr.io',
      found('exact', 'two')
    ],
    // 6-10: Docker Hub, under https://index.docker.io/v1/ whatever alias the image names
    ['Docker Hub as docker.io', auths({ [DOCKER_HUB_KEY]: { auth: b64('hubuser:hubpw') } }), 'docker.io', found('hubuser', 'hubpw')],
    ['Docker Hub as index.docker.io', auths({ [DOCKER_HUB_KEY]: { auth: b64('hubuser:hubpw') } }), 'index.docker.io', found('hubuser', 'hubpw')],
    ['Docker Hub as registry-1.docker.io', auths({ [DOCKER_HUB_KEY]: { auth: b64('hubuser:hubpw') } }), 'registry-1.docker.io', found('hubuser', 'hubpw')],
    [
      'Docker Hub under docker.io only: docker does not read it',
      auths({ 'docker.io': { auth: b64('hubuser:hubpw') } }),
      'docker.io',
      none(`docker has no login for docker.io in ${FILE}`)
    ],
    ['another registry only', auths({ 'ghcr.io': { auth: b64('bot:s3cret') } }), 'quay.io', none(`docker has no login for quay.io in ${FILE}`)],
    // 11-18: the forms of an entry
    ['username and password fields', auths({ 'ghcr.io': { username: 'bot', password: 'pw' } }), 'ghcr.io', found('bot', 'pw')],
    ['auth wins over the fields', auths({ 'ghcr.io': { auth: b64('fromauth:a'), username: 'fields', password: 'f' } }), 'ghcr.io', found('fromauth', 'a')],
    ['a password with colons is split at the first', auths({ 'ghcr.io': { auth: b64('bot:a:b:c') } }), 'ghcr.io', found('bot', 'a:b:c')],
    ['NUL padding after the password is trimmed', auths({ 'ghcr.io': { auth: b64('bot:pw\0\0') } }), 'ghcr.io', found('bot', 'pw')],
    [
      'an identity token',
      auths({ 'ghcr.io': { auth: b64('bot:'), identitytoken: 'refresh-token' } }),
      'ghcr.io',
      none(`the login for ghcr.io in ${FILE} is a token, which this action cannot send (only a user name and password)`)
    ],
    [
      'auth that is not base64',
      auths({ 'ghcr.io': { auth: 'not base64!' } }),
      'ghcr.io',
      none(`the login for ghcr.io in ${FILE} has an \`auth\` that is not base64 of user:password`)
    ],
    [
      'auth without a colon',
      auths({ 'ghcr.io': { auth: b64('justauser') } }),
      'ghcr.io',
      none(`the login for ghcr.io in ${FILE} has an \`auth\` that is not base64 of user:password`)
    ],
    ['an empty entry', auths({ 'ghcr.io': {} }), 'ghcr.io', none(`the login for ghcr.io in ${FILE} has no user name or password`)],
    ['an entry that is not an object', auths({ 'ghcr.io': 'bot:pw' }), 'ghcr.io', none(`the login for ghcr.io in ${FILE} is not a JSON object`)],
    // 20-25: credential helpers
    ['credHelpers for the host', JSON.stringify({ credHelpers: { 'ghcr.io': 'gh' }, auths: { 'ghcr.io': { auth: b64('a:b') } } }), 'ghcr.io', { helper: 'gh' }],
    ['credsStore for every registry', JSON.stringify({ credsStore: 'pass', auths: { 'ghcr.io': { auth: b64('a:b') } } }), 'ghcr.io', { helper: 'pass' }],
    ['credHelpers win over credsStore', JSON.stringify({ credsStore: 'pass', credHelpers: { 'ghcr.io': 'gh' } }), 'ghcr.io', { helper: 'gh' }],
    ['credHelpers of another host: credsStore', JSON.stringify({ credsStore: 'pass', credHelpers: { 'quay.io': 'q' } }), 'ghcr.io', { helper: 'pass' }],
    [
      'an empty credHelpers name means auths, even with credsStore',
      JSON.stringify({ credsStore: 'pass', credHelpers: { 'ghcr.io': '' }, auths: { 'ghcr.io': { auth: b64('a:b') } } }),
      'ghcr.io',
      found('a', 'b')
    ],
    ['Docker Hub helper under its index key', JSON.stringify({ credHelpers: { [DOCKER_HUB_KEY]: 'hub' } }), 'docker.io', { helper: 'hub' }],
    [
      'a helper name with a path',
      JSON.stringify({ credsStore: '../../bin/sh' }),
      'ghcr.io',
      none(`docker's config ${FILE} names an invalid credential helper for ghcr.io`)
    ],
    // 27-30: files that are no config
    ['bad JSON', '{"auths": {', 'ghcr.io', none(`docker's config ${FILE} is not valid JSON`)],
    ['a JSON array', '[]', 'ghcr.io', none(`docker's config ${FILE} is not a JSON object`)],
    ['no auths at all', '{}', 'ghcr.io', none(`docker has no login for ghcr.io in ${FILE}`)],
    ['auths that is not an object', '{"auths": []}', 'ghcr.io', none(`docker has no login for ghcr.io in ${FILE}`)]
  ]

  it.each(rows)('%s', (_name, text, registry, expected) => {
    expect(loginInConfig(text, registry, FILE)).toEqual(expected)
  })

  it('never puts a credential in a reason', () => {
    for (const [, text, registry] of rows) {
      const result = loginInConfig(text, registry, FILE)
      if ('reason' in result) for (const secret of ['s3cret', 'hubpw', 'refresh-token', 'bot:pw']) expect(result.reason).not.toContain(secret)
    }
  })
})

describe('dockerConfigFile: where docker keeps its config', () => {
  it.each([
    [{ DOCKER_CONFIG: '/tmp/dc', HOME: '/home/u' }, '/tmp/dc/config.json'],
    [{ HOME: '/home/u' }, '/home/u/.docker/config.json'],
    [{ DOCKER_CONFIG: '', HOME: '/home/u' }, '/home/u/.docker/config.json']
  ])('%j -> %s', (env, expected) => {
    expect(dockerConfigFile(env)).toBe(expected)
  })
})

describe('readDockerLogin: real files and a real credential helper', () => {
  let dir: string
  let bin: string
  let calls: string
  const savedPath = process.env.PATH
  const savedConfig = process.env.DOCKER_CONFIG

  /** A config dir holding `config`, its file's path. */
  function configFile(config: string): string {
    const configDir = mkdtempSync(path.join(dir, 'config-'))
    writeFileSync(path.join(configDir, 'config.json'), config)
    return path.join(configDir, 'config.json')
  }

  beforeAll(() => {
    dir = scratchDir('docker-credentials-')
    bin = path.join(dir, 'bin')
    calls = path.join(dir, 'calls')
    mkdirSync(bin)
    // The helper protocol: the server address on stdin, JSON on stdout; "not found" is exit 1 with a message.
    writeFileSync(
      path.join(bin, 'docker-credential-test'),
      [
        '#!/bin/sh',
        `[ "$1" = get ] || { echo "unexpected action $1" >&2; exit 2; }`,
        'server=$(cat)',
        `printf '%s\\n' "$server" >> '${calls}'`,
        'case "$server" in',
        `  127.0.0.1:5000) printf '{"ServerURL":"%s","Username":"helper-user","Secret":"helper-secret"}' "$server" ;;`,
        `  https://index.docker.io/v1/) printf '{"ServerURL":"%s","Username":"hub-user","Secret":"hub-secret"}' "$server" ;;`,
        `  token.example) printf '{"ServerURL":"%s","Username":"<token>","Secret":"refresh-secret"}' "$server" ;;`,
        `  empty.example) printf '{"ServerURL":"%s","Username":"","Secret":""}' "$server" ;;`,
        `  notjson.example) printf 'helper-secret in plain text' ;;`,
        '  slow.example) exec sleep 5 ;;',
        '  *) echo "credentials not found in native keychain"; exit 1 ;;',
        'esac'
      ].join('\n') + '\n'
    )
    chmodSync(path.join(bin, 'docker-credential-test'), 0o755)
    writeFileSync(path.join(bin, 'docker-credential-noexec'), '#!/bin/sh\nexit 0\n', { mode: 0o644 })
    process.env.PATH = `${bin}${path.delimiter}${savedPath ?? ''}`
  })

  afterAll(() => {
    process.env.PATH = savedPath
    if (savedConfig === undefined) delete process.env.DOCKER_CONFIG
    else process.env.DOCKER_CONFIG = savedConfig
    rmSync(dir, { recursive: true, force: true })
  })

  beforeEach(() => writeFileSync(calls, ''))
  const helperCalls = (): string[] => readFileSync(calls, 'utf8').split('\n').filter(Boolean)

  it('a missing file: no credentials', async () => {
    const missing = path.join(dir, 'nowhere', 'config.json')
    await expect(readDockerLogin('ghcr.io', missing)).resolves.toEqual(none(`there is no docker config ${missing}`))
  })

  it('an unreadable file (a directory): no credentials', async () => {
    const file = path.join(mkdtempSync(path.join(dir, 'config-')), 'config.json')
    mkdirSync(file)
    await expect(readDockerLogin('ghcr.io', file)).resolves.toEqual(none(`docker's config ${file} cannot be read`))
  })

  it('auths in a real file', async () => {
    const file = configFile(auths({ '127.0.0.1:5000': { auth: b64('ci:pw') } }))
    await expect(readDockerLogin('127.0.0.1:5000', file)).resolves.toEqual(found('ci', 'pw', file))
  })

  const helperRows: [string, string, string, DockerLogin][] = [
    [
      'credsStore: the helper gets the host on stdin',
      JSON.stringify({ credsStore: 'test' }),
      '127.0.0.1:5000',
      found('helper-user', 'helper-secret', 'docker-credential-test')
    ],
    [
      'credHelpers: Docker Hub is asked as https://index.docker.io/v1/',
      JSON.stringify({ credHelpers: { [DOCKER_HUB_KEY]: 'test' } }),
      'docker.io',
      found('hub-user', 'hub-secret', 'docker-credential-test')
    ],
    [
      'the helper has none (exit 1): auths are not read instead, as the CLI',
      JSON.stringify({ credsStore: 'test', auths: { 'quay.io': { auth: b64('a:b') } } }),
      'quay.io',
      none("docker-credential-test, docker's credential helper for quay.io, has no usable login (exit status 1)")
    ],
    [
      'an identity token',
      JSON.stringify({ credsStore: 'test' }),
      'token.example',
      none("docker-credential-test, docker's credential helper for token.example, holds a token, which this action cannot send (only a user name and password)")
    ],
    [
      'an empty answer',
      JSON.stringify({ credsStore: 'test' }),
      'empty.example',
      none("docker-credential-test, docker's credential helper for empty.example, has no login for empty.example")
    ],
    [
      'an answer that is not JSON (not quoted)',
      JSON.stringify({ credsStore: 'test' }),
      'notjson.example',
      none("docker-credential-test, docker's credential helper for notjson.example, answered with something that is not JSON")
    ],
    [
      'a helper that is not installed',
      JSON.stringify({ credsStore: 'absent' }),
      'ghcr.io',
      none("docker-credential-absent, docker's credential helper for ghcr.io, is not on PATH")
    ],
    [
      'a helper that cannot be run',
      JSON.stringify({ credsStore: 'noexec' }),
      'ghcr.io',
      none("docker-credential-noexec, docker's credential helper for ghcr.io, could not be run (EACCES)")
    ]
  ]

  it.each(helperRows)('%s', async (_name, config, registry, expected) => {
    await expect(readDockerLogin(registry, configFile(config))).resolves.toEqual(expected)
    if (registry !== 'ghcr.io') expect(helperCalls()).toEqual([registry === 'docker.io' ? DOCKER_HUB_KEY : registry])
  })

  it('a helper that hangs is stopped after the time allowed', async () => {
    const started = Date.now()
    const login = await readDockerLogin('slow.example', configFile(JSON.stringify({ credsStore: 'test' })), 300)
    expect(login).toEqual(none("docker-credential-test, docker's credential helper for slow.example, did not answer within 0.3 s"))
    expect(Date.now() - started).toBeLessThan(4000)
  })

  it("dockerLoginFor reads $DOCKER_CONFIG/config.json, and the password it found is hidden from the run's output", async () => {
    const file = configFile(JSON.stringify({ credsStore: 'test' }))
    process.env.DOCKER_CONFIG = path.dirname(file)
    forgetSecrets()
    expect(redact('the secret is helper-secret')).toBe('the secret is helper-secret')
    expect(await dockerLoginFor('127.0.0.1:5000')).toEqual(found('helper-user', 'helper-secret', 'docker-credential-test'))
    expect((await dockerLoginFor('quay.io')).found).toBe(false)
    expect(helperCalls()).toEqual(['127.0.0.1:5000', 'quay.io'])
    expect(redact('the secret is helper-secret')).toBe('the secret is ***')
    forgetSecrets()
  })
})
