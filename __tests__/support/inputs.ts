import path from 'node:path'
import type { Inputs } from '../../src/inputs.js'

/** A complete, already validated Inputs object (what readInputs returns) for a context folder. */
export function testInputs(context: string, changes: Partial<Inputs> = {}): Inputs {
  return {
    'ohe-release': undefined,
    'agent-server-version': '1.23.0',
    'release-source': 'OpenHands/OpenHands-Cloud',
    'release-map': '',
    'base-image': '127.0.0.1:5000/openhands/agent-server',
    variant: 'python',
    match: 'exact',
    context,
    file: path.join(context, 'Dockerfile'),
    target: '',
    'build-args': {},
    repository: '',
    tag: '',
    'extra-tags': [],
    labels: {},
    build: true,
    push: true,
    'skip-unchanged': false,
    'registry-username': '',
    'registry-password': '',
    secrets: [],
    'secret-files': [],
    ssh: [],
    verify: false,
    'boot-timeout': 120,
    'cache-from': [],
    'cache-to': [],
    builder: '',
    scan: true,
    'scan-exclude': [],
    'scan-ignore-file': path.join(context, '.sandbox-scan-ignore'),
    'fail-on-findings': true,
    'scan-installed-packages': 'notice',
    sarif: '',
    'github-token': '',
    timeout: 0,
    'push-stall-timeout': 10 * 60_000,
    'push-retries': 2,
    // Off unless a test asks: attestations need the containerd image store or another builder.
    provenance: false,
    sbom: false,
    'docker-env': [],
    ...changes
  }
}
