import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { createRunDockerConfig, isRunDockerConfig, removeRunDockerConfig, storeLoginInFile, userDockerConfigDir } from '../../src/buildx/run-config.js'
import { tempDir } from './support/capture.js'

const work = tempDir('run-config-')
afterAll(() => work.remove())

function userConfig(config: unknown): string {
  const dir = path.join(work.dir, `user-${Math.random().toString(36).slice(2)}`)
  mkdirSync(path.join(dir, 'cli-plugins'), { recursive: true })
  mkdirSync(path.join(dir, 'buildx'), { recursive: true })
  writeFileSync(path.join(dir, 'cli-plugins', 'docker-buildx'), 'plugin')
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config))
  return dir
}

test('inherits the user config: config.json copied (0600), everything else linked; removing it leaves the user dir intact', async () => {
  const user = userConfig({ auths: { 'ghcr.io': { auth: 'eA==' } }, credHelpers: { 'gcr.io': 'gcloud' } })
  const dir = await createRunDockerConfig(user, work.dir)
  expect(isRunDockerConfig(dir)).toBe(true)
  expect(statSync(dir).mode & 0o777).toBe(0o700)
  expect(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'))).toEqual({
    auths: { 'ghcr.io': { auth: 'eA==' } },
    credHelpers: { 'gcr.io': 'gcloud' }
  })
  expect(statSync(path.join(dir, 'config.json')).mode & 0o777).toBe(0o600)
  expect(lstatSync(path.join(dir, 'cli-plugins')).isSymbolicLink()).toBe(true)
  expect(readlinkSync(path.join(dir, 'buildx'))).toBe(path.join(user, 'buildx'))
  await removeRunDockerConfig(dir)
  expect(existsSync(dir)).toBe(false)
  expect(readFileSync(path.join(user, 'cli-plugins', 'docker-buildx'), 'utf8')).toBe('plugin')
  expect(existsSync(path.join(user, 'config.json'))).toBe(true)
})

test('a user without a config dir gets an empty one of the run', async () => {
  const dir = await createRunDockerConfig(path.join(work.dir, 'nobody'), work.dir)
  expect(existsSync(path.join(dir, 'config.json'))).toBe(false)
})

test("the action's login goes to the file for its registry only, when a helper would have taken it; the user's file is untouched", async () => {
  const original = { auths: {}, credsStore: 'desktop', credHelpers: { 'gcr.io': 'gcloud' } }
  const user = userConfig(original)
  const dir = await createRunDockerConfig(user, work.dir)
  await storeLoginInFile(dir, '127.0.0.1:5000')
  await storeLoginInFile(dir, 'docker.io')
  expect(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'))).toEqual({
    auths: {},
    credsStore: 'desktop',
    credHelpers: { 'gcr.io': 'gcloud', '127.0.0.1:5000': '', 'https://index.docker.io/v1/': '' }
  })
  expect(JSON.parse(readFileSync(path.join(user, 'config.json'), 'utf8'))).toEqual(original)
  // Renamed into place (docker commands read it meanwhile): no temporary file is left, and it stays private.
  expect(readdirSync(dir).filter(name => name.startsWith('config.json'))).toEqual(['config.json'])
  expect(statSync(path.join(dir, 'config.json')).mode & 0o777).toBe(0o600)
})

test('no helper: the config is left as it is', async () => {
  const user = userConfig({ auths: { x: {} } })
  const dir = await createRunDockerConfig(user, work.dir)
  await storeLoginInFile(dir, 'ghcr.io')
  expect(readFileSync(path.join(dir, 'config.json'), 'utf8')).toBe(JSON.stringify({ auths: { x: {} } }))
})

test('only its own dirs are removed', async () => {
  const other = path.join(work.dir, 'not-ours')
  mkdirSync(other)
  await removeRunDockerConfig(other)
  expect(existsSync(other)).toBe(true)
})

test('userDockerConfigDir: DOCKER_CONFIG, else HOME/.docker', () => {
  expect(userDockerConfigDir({ DOCKER_CONFIG: '/c' }, '/h')).toBe('/c')
  expect(userDockerConfigDir({ HOME: '/home/r' }, '/h')).toBe('/home/r/.docker')
  expect(userDockerConfigDir({}, '/h')).toBe('/h/.docker')
})
