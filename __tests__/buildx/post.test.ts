import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { cleanup, isPostStep, markMainStep } from '../../src/buildx/post.js'
import { writeSecretFiles } from '../../src/buildx/secret-files.js'
import { STATE } from '../../src/buildx/state.js'
import { captureStdout, scopedEnv, tempDir } from './support/capture.js'

/** The post step reads what the main step saved from STATE_<name> variables, as the runner provides them. */
function withState(values: Partial<Record<keyof typeof STATE, string>>): () => void {
  return scopedEnv({
    [`STATE_${STATE.registry}`]: values.registry,
    [`STATE_${STATE.tempDir}`]: values.tempDir
  })
}

describe('main or post step', () => {
  test('the main step marks itself; the post run of the same bundle sees the mark', async () => {
    const restore = scopedEnv({ GITHUB_STATE: undefined, [`STATE_${STATE.isPost}`]: undefined })
    try {
      expect(isPostStep()).toBe(false)
      const { log } = await captureStdout(async () => markMainStep())
      expect(log).toBe(`::save-state name=${STATE.isPost}::true\n`)
      // The runner hands saved state to the post step as STATE_<name>.
      process.env[`STATE_${STATE.isPost}`] = 'true'
      expect(isPostStep()).toBe(true)
    } finally {
      restore()
    }
  })
})

describe('cleanup (the post step)', () => {
  const base = tempDir('post-test-')
  const config = tempDir('post-test-config-')
  let restore: () => void = () => undefined
  beforeAll(() => {
    restore = scopedEnv({ DOCKER_CONFIG: config.dir })
  })
  afterAll(() => {
    restore()
    base.remove()
    config.remove()
  })

  test('removes the temp dir with the secret files the main step left (a cancelled build)', async () => {
    const { dir, files } = await writeSecretFiles([{ id: 'tok', value: 'v' }], base.dir)
    const restoreState = withState({ tempDir: dir })
    try {
      const { log, error } = await captureStdout(() => cleanup())
      expect(error).toBeUndefined()
      expect(log).not.toContain('::warning')
    } finally {
      restoreState()
    }
    expect(existsSync(files[0]?.path ?? '')).toBe(false)
    expect(existsSync(dir)).toBe(false)
  })

  test('nothing saved: nothing to do, and no docker call', async () => {
    const restoreState = withState({})
    try {
      const { log, error } = await captureStdout(() => cleanup())
      expect(error).toBeUndefined()
      expect(log).toBe('')
    } finally {
      restoreState()
    }
  })

  test('never removes a dir this action did not make', async () => {
    const foreign = path.join(base.dir, 'workspace')
    mkdirSync(foreign)
    writeFileSync(path.join(foreign, 'keep'), 'x')
    for (const value of [foreign, 'relative/ohe-sandbox-image-x']) {
      const restoreState = withState({ tempDir: value })
      try {
        await captureStdout(() => cleanup())
      } finally {
        restoreState()
      }
    }
    expect(existsSync(path.join(foreign, 'keep'))).toBe(true)
  })

  test('a logout that cannot run only warns, and the temp dir is still removed', async () => {
    const { dir } = await writeSecretFiles([{ id: 'tok', value: 'v' }], base.dir)
    const restoreState = withState({ registry: 'registry.example', tempDir: dir })
    const restorePath = scopedEnv({ PATH: '/nonexistent' })
    try {
      const { log, error } = await captureStdout(() => cleanup())
      expect(error).toBeUndefined()
      expect(log).toMatch(/^::warning::docker logout registry\.example failed: Unable to locate executable file: docker\./m)
      expect(process.exitCode ?? 0).toBe(0)
    } finally {
      restorePath()
      restoreState()
    }
    expect(existsSync(dir)).toBe(false)
  })
})
