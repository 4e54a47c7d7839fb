/**
 * A cancelled step leaves nothing running: the runner's cancel signal ends the action's node process only, and
 * docker, in a process group of its own, would go on waiting; the post step ends it. The bundled action
 * (dist/index.js) with DOCKER_HOST on a daemon socket that accepts and never answers, cancelled while `docker login`
 * waits on it in silence (a docker that writes to the pipe of a node process that is gone dies of SIGPIPE; one that
 * waits silently is what a cancel really leaves behind).
 * In CI these run and fail when the stack is down; elsewhere they are skipped when it is not up.
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { runAction, runPostStep } from '../support/action-runner.js'
import { RegistryClient, e2eEnabled, mustBeUp, stackState } from '../support/stack.js'
import { scratchDir } from '../support/scratch.js'

const stack = await stackState()
const describeStack = e2eEnabled(stack) ? describe : describe.skip

/** Live (not zombie) processes of the process group `pgid`, as their command lines. */
function processesOf(pgid: string): string[] {
  return execFileSync('ps', ['-eo', 'pgid=,stat=,args='], { encoding: 'utf8' })
    .split('\n')
    .map(line => line.trim().split(/\s+/))
    .filter(([group, stat]) => group === pgid && !stat?.startsWith('Z'))
    .map(fields => fields.slice(2).join(' '))
}

describeStack('a cancelled step', () => {
  test('the post step ends the docker process groups the main step left waiting', async () => {
    const state = mustBeUp(stack)
    const workspace = scratchDir('i9-cancel-')
    const socket = path.join(workspace, 'hung.sock')
    const connections = new Set<net.Socket>()
    const daemon = net.createServer(connection => connections.add(connection))
    await new Promise<void>(resolve => daemon.listen(socket, resolve))
    let group = ''
    try {
      mkdirSync(path.join(workspace, 'image'))
      writeFileSync(path.join(workspace, 'image', 'Dockerfile'), `FROM ${state.registry}/openhands/agent-server:1.23.0-python\n`)
      const repository = `${state.registry}/i9-cancel/app-${randomBytes(4).toString('hex')}`
      const inputs = {
        'agent-server-version': '1.23.0',
        'base-image': `${state.registry}/openhands/agent-server`,
        context: 'image',
        repository,
        scan: 'false',
        'registry-username': state.username,
        'registry-password': state.password
      }
      const started = Date.now()
      const main = await runAction(inputs, workspace, { DOCKER_HOST: `unix://${socket}` }, { cancelWhen: /\[command\]docker login/, cancelDelayMs: 1500 })
      expect(main.exitCode).not.toBe(0)
      expect(Date.now() - started).toBeLessThan(30_000)
      group = main.state['docker-process-groups'] ?? ''
      expect(group).toMatch(/^\d+(,\d+)*$/)
      const groups = group.split(',')
      // What the runner leaves after a cancel: docker login still waiting, its node parent gone; beside it the
      // questions asked at the same time (the builder's attestation support, whether an engine answers), which wait
      // on the same daemon.
      const left = groups.flatMap(processesOf)
      expect(left).toContain(`docker login ${state.registry} --username ${state.username} --password-stdin`)
      for (const command of left) expect(command).toMatch(/^docker (login|info|buildx inspect)\b|\/docker-buildx buildx inspect$/)

      const post = await runPostStep(main, workspace)
      expect(post.exitCode).toBe(0)
      expect(post.annotations.map(a => a.message)).toEqual([
        `Ending ${groups.length} docker process group(s) the main step left running (it was cancelled or timed out): ${groups.join(', ')}`
      ])
      await new Promise(resolve => setTimeout(resolve, 300))
      expect(groups.flatMap(processesOf)).toEqual([])
      // Nothing was claimed, and nothing reached the registry.
      expect(main.outputs.pushed ?? 'false').toBe('false')
      expect(main.outputs.digest).toBeUndefined()
      expect(await new RegistryClient(state).listTags(repository.slice(state.registry.length + 1))).toEqual([])
    } finally {
      // Whatever happened above, this test leaves no process of its own behind.
      for (const pgid of group.split(',').filter(pgid => /^\d+$/.test(pgid))) {
        try {
          process.kill(-Number(pgid), 'SIGKILL')
        } catch {
          // Already gone.
        }
      }
      for (const connection of connections) connection.destroy()
      await new Promise(resolve => daemon.close(resolve))
      rmSync(workspace, { recursive: true, force: true })
    }
  }, 60_000)
})
