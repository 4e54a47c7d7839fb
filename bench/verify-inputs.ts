import type { VerifySettings } from '../src/verify/verify.js'

/** The verify phase's inputs for the bench: the stack's registry credentials, defaults otherwise. */
export function testInputsFor(root: string, changes: Partial<VerifySettings>): VerifySettings {
  return {
    file: `${root}/examples/sandbox/Dockerfile`,
    repository: '',
    'registry-username': '',
    'registry-password': '',
    secrets: [],
    'build-args': {},
    'scan-ignore-file': `${root}/examples/sandbox/.sandbox-scan-ignore`,
    'fail-on-findings': true,
    'scan-installed-packages': 'notice',
    'boot-timeout': 120,
    'sandbox-commands': [],
    'sandbox-command-timeout': 600_000,
    push: false,
    sarif: '',
    ...changes
  }
}
