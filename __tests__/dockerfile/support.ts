import { checkDockerfile, type DockerfileCheckOptions, type DockerfileReport } from '../../src/dockerfile/check.js'
import { parseRepository, parseVersion } from '../../src/grammar.js'

export const BASE = 'ghcr.io/openhands/agent-server'
export const GOOD = `${BASE}:1.23.0-python`

/** Options as a row writes them: the release and the base image as text, parsed here as runChecks parses them. */
export type CheckOptions = Partial<Omit<DockerfileCheckOptions, 'release' | 'baseRepository'>> & { release?: string }

/** checkDockerfile's options from a row's, with the action's defaults for agent-server 1.23.0 otherwise. */
export function checkOptions(text: string, options: CheckOptions = {}): DockerfileCheckOptions {
  const { release = '1.23.0', baseImage = BASE, ...rest } = options
  const version = parseVersion(release)
  const baseRepository = parseRepository(baseImage)
  if (!version || !baseRepository) throw new Error(`test row gives an invalid release '${release}' or base image '${baseImage}'`)
  return {
    file: 'sandbox/Dockerfile',
    text,
    baseImage,
    baseRepository,
    variant: 'python',
    release: version,
    match: 'exact',
    target: '',
    buildArgs: {},
    ...rest
  }
}

/** checkDockerfile with the action's defaults for agent-server 1.23.0; a row overrides what it tests. */
export function check(text: string, options: CheckOptions = {}): DockerfileReport {
  return checkDockerfile(checkOptions(text, options))
}
