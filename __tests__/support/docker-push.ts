/**
 * Pushes test images to the e2e stack's registry with a real `docker buildx build --platform linux/amd64 --push`,
 * logged in through a private DOCKER_CONFIG (root's ~/.docker is never touched).
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { StackState } from './stack.js'
import { scratchDir } from './scratch.js'

interface Run {
  code: number
  stdout: string
  stderr: string
}

export interface Pusher {
  /** Builds `dockerfile` and pushes it as `image`; returns the manifest digest buildx reports. */
  push(image: string, dockerfile: string, options?: BuildOptions): Promise<string>
  /** Builds `dockerfile` into the engine as `image` (buildx --load), for tests that run it in-process. */
  load(image: string, dockerfile: string, options?: BuildOptions): Promise<void>
  /** Removes the local images it built and its temp folders (the registry keeps the pushed images). */
  close(): Promise<void>
}

export interface BuildOptions {
  labels?: Record<string, string>
  buildArgs?: Record<string, string>
  /** More files of the build context, by relative path: text, or text and mode (an executable the image COPYs). */
  files?: Record<string, string | { text: string; mode: number }>
}

/** A repository of its own per test, e.g. 127.0.0.1:5000/e2e/layered-1a2b3c4d. */
export function uniqueRepository(stack: StackState, kind: string): string {
  return `${stack.registry}/e2e/${kind}-${randomBytes(4).toString('hex')}`
}

export async function dockerPusher(stack: StackState): Promise<Pusher> {
  const work = scratchDir('phases-e2e-')
  const dockerConfig = path.join(work, 'docker-config')
  const built: string[] = []

  const docker = (args: string[], input?: string): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn('docker', args, { env: { ...process.env, DOCKER_CONFIG: dockerConfig }, stdio: ['pipe', 'pipe', 'pipe'] })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      child.on('error', reject)
      child.on('close', code => resolve({ code: code ?? -1, stdout, stderr }))
      child.stdin.end(input ?? '')
    })

  const login = await docker(['login', stack.registry, '--username', stack.username, '--password-stdin'], stack.password)
  if (login.code !== 0) throw new Error(`docker login ${stack.registry} failed: ${login.stderr}`)

  const contextFor = (image: string, dockerfile: string, options: BuildOptions): string => {
    const context = mkdtempSync(path.join(work, 'context-'))
    writeFileSync(path.join(context, 'Dockerfile'), dockerfile)
    writeFileSync(path.join(context, 'hotfix.txt'), `hotfix for ${image}\n`)
    for (const [name, file] of Object.entries(options.files ?? {})) {
      const target = path.join(context, name)
      mkdirSync(path.dirname(target), { recursive: true })
      const { text, mode } = typeof file === 'string' ? { text: file, mode: 0o644 } : file
      writeFileSync(target, text, { mode })
    }
    return context
  }

  return {
    async load(image, dockerfile, options = {}) {
      const context = contextFor(image, dockerfile, options)
      const run = await docker(['buildx', 'build', '--progress', 'plain', '--platform', 'linux/amd64', '--load', '--tag', image, context])
      if (run.code !== 0) throw new Error(`docker buildx build --load ${image} failed (${run.code}):\n${run.stderr.slice(-2000)}`)
      built.push(image)
    },
    async push(image, dockerfile, options = {}) {
      const context = contextFor(image, dockerfile, options)
      const metadata = path.join(context, 'metadata.json')
      const flags = [
        ...Object.entries(options.labels ?? {}).flatMap(([key, value]) => ['--label', `${key}=${value}`]),
        ...Object.entries(options.buildArgs ?? {}).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`])
      ]
      const args = [
        'buildx',
        'build',
        '--progress',
        'plain',
        '--platform',
        'linux/amd64',
        '--push',
        '--tag',
        image,
        ...flags,
        '--metadata-file',
        metadata,
        context
      ]
      const run = await docker(args)
      if (run.code !== 0) throw new Error(`docker buildx build ${image} failed (${run.code}):\n${run.stderr.slice(-2000)}`)
      built.push(image)
      const digest = (JSON.parse(readFileSync(metadata, 'utf8')) as Record<string, unknown>)['containerimage.digest']
      if (typeof digest !== 'string') throw new Error(`buildx reported no digest for ${image}`)
      return digest
    },
    async close() {
      if (built.length > 0) await docker(['image', 'rm', ...built])
      await docker(['logout', stack.registry])
      rmSync(work, { recursive: true, force: true })
    }
  }
}
