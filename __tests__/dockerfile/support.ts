import { checkDockerfile, type DockerfileCheckOptions, type DockerfileReport } from '../../src/dockerfile/check.js'

export const BASE = 'ghcr.io/openhands/agent-server'
export const GOOD = `${BASE}:1.23.0-python`

/** checkDockerfile with the action's defaults for OHE release 1.23.0; a row overrides what it tests. */
export function check(text: string, options: Partial<DockerfileCheckOptions> = {}): DockerfileReport {
  return checkDockerfile({
    file: 'sandbox/Dockerfile',
    text,
    baseImage: BASE,
    variant: 'python',
    release: '1.23.0',
    match: 'exact',
    target: '',
    buildArgs: {},
    ...options
  })
}
