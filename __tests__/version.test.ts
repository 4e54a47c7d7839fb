import { readFileSync } from 'node:fs'
import { ACTION_VERSION } from '../src/version.js'

it('matches the version in package.json', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }
  expect(ACTION_VERSION).toBe(pkg.version)
})
