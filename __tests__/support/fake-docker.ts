/**
 * A fake `docker` for in-process runs of the build path: `buildx build --push` stores the image in a MemoryRegistry
 * (the base's contract plus the --label values) and writes buildx's metadata file, as the real one does; login and
 * logout succeed unless told otherwise. Every call is recorded, with what was written to stdin.
 */
import { writeFileSync } from 'node:fs'
import type { DockerCommand, DockerOptions, DockerRun } from '../../src/buildx/docker.js'
import type { ImageConfigJson, MemoryRegistry } from './memory-registry.js'

export interface FakeDockerOptions {
  /** The config every built image starts from; the agent-server's contract by default. */
  baseConfig?: ImageConfigJson
  /** Replaces what `buildx build` does, e.g. a failure: exit code and stderr lines. */
  build?: (args: string[]) => DockerRun | undefined
  /** `docker login` fails with these stderr lines. */
  loginFails?: string[]
  /** Write no digest to the metadata file even after a push. */
  noDigest?: boolean
}

export interface FakeDocker {
  command: DockerCommand
  calls: Array<{ args: string[]; input?: string | Buffer }>
  builds(): string[][]
}

export const AGENT_SERVER_CONFIG: ImageConfigJson = {
  Entrypoint: ['tini', '--', '/usr/local/bin/openhands-agent-server'],
  Cmd: null,
  User: 'openhands',
  ExposedPorts: { '8000/tcp': {}, '8002/tcp': {} },
  Labels: {}
}

export function fakeDocker(registry: MemoryRegistry, options: FakeDockerOptions = {}): FakeDocker {
  const calls: FakeDocker['calls'] = []
  const ok = (stdout = ''): DockerRun => ({ exitCode: 0, stderr: [], stdout })
  const command: DockerCommand = async (args: string[], runOptions: DockerOptions = {}) => {
    calls.push(runOptions.input === undefined ? { args } : { args, input: runOptions.input })
    if (args[0] === 'login') return options.loginFails ? { exitCode: 1, stderr: options.loginFails, stdout: '' } : ok('Login Succeeded\n')
    if (args[0] !== 'buildx' || args[1] !== 'build') return ok()
    const custom = options.build?.(args)
    if (custom) return custom
    const values = (flag: string): string[] => args.flatMap((arg, index) => (arg === flag && args[index + 1] !== undefined ? [args[index + 1] as string] : []))
    const labels = Object.fromEntries(values('--label').map(label => [label.slice(0, label.indexOf('=')), label.slice(label.indexOf('=') + 1)]))
    const metadataFile = values('--metadata-file')[0]
    const tags = values('--tag')
    let digest: string | undefined
    if (args.includes('--push')) {
      for (const ref of tags) {
        const name = ref.slice(registry.host.length + 1)
        const colon = name.lastIndexOf(':')
        digest = registry.putImage(name.slice(0, colon), name.slice(colon + 1), { ...(options.baseConfig ?? AGENT_SERVER_CONFIG), Labels: labels })
      }
    }
    if (metadataFile) {
      const metadata = digest && !options.noDigest ? { 'containerimage.digest': digest, 'image.name': tags.join(',') } : {}
      writeFileSync(metadataFile, JSON.stringify(metadata))
    }
    return ok()
  }
  return {
    command,
    calls,
    builds: () => calls.filter(call => call.args[0] === 'buildx' && call.args[1] === 'build').map(call => call.args)
  }
}
