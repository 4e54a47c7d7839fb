import { execFileSync } from 'node:child_process'
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { commitTime } from '../../src/git/commit-time.js'
import { parsePorcelain, uncommittedFiles } from '../../src/git/uncommitted.js'
import { scratchDir } from '../support/scratch.js'

describe('parsePorcelain', () => {
  it.each([
    ['', []],
    [' M Dockerfile\0', ['Dockerfile']],
    ['?? bin/new tool\0A  staged.txt\0', ['bin/new tool', 'staged.txt']],
    ['R  new.txt\0old.txt\0 M after.txt\0', ['new.txt', 'after.txt']],
    [' D gone.txt\0D  staged-gone.txt\0MM both.txt\0', ['both.txt']],
    ['MD staged-then-deleted.txt\0AD added-then-deleted.txt\0RD new.txt\0old.txt\0?? kept.txt\0', ['kept.txt']]
  ])('%j', (output, expected) => {
    expect(parsePorcelain(output)).toEqual(expected)
  })
})

describe('uncommittedFiles', () => {
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, stdio: 'pipe' })

  it('lists changed and untracked files under the folder, not ignored ones or files elsewhere', async () => {
    const repo = realpathSync(scratchDir('uncommitted-'))
    git(repo, 'init', '-q')
    mkdirSync(path.join(repo, 'image'))
    writeFileSync(path.join(repo, 'image', 'Dockerfile'), 'FROM x\n')
    writeFileSync(path.join(repo, '.gitignore'), '*.log\n')
    writeFileSync(path.join(repo, 'README.md'), 'readme\n')
    git(repo, 'add', '.')
    git(repo, '-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'init')

    writeFileSync(path.join(repo, 'image', 'Dockerfile'), 'FROM y\n')
    writeFileSync(path.join(repo, 'image', 'local.env'), 'A=1\n')
    writeFileSync(path.join(repo, 'image', 'build.log'), 'ignored\n')
    writeFileSync(path.join(repo, 'README.md'), 'changed outside the context\n')

    const files = await uncommittedFiles(path.join(repo, 'image'))
    expect(files.sort()).toEqual([path.join(repo, 'image', 'Dockerfile'), path.join(repo, 'image', 'local.env')])
  })

  it('is empty outside a git checkout', async () => {
    const folder = scratchDir('not-git-')
    writeFileSync(path.join(folder, 'Dockerfile'), 'FROM x\n')
    expect(await uncommittedFiles(folder)).toEqual([])
  })
})

describe('commitTime', () => {
  it('is the checked-out commit’s time, and undefined outside a checkout', async () => {
    const repo = scratchDir('commit-time-')
    execFileSync('git', ['init', '-q'], { cwd: repo })
    writeFileSync(path.join(repo, 'a'), 'a')
    execFileSync('git', ['add', '.'], { cwd: repo })
    const date = '2026-03-04T05:06:07+00:00'
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'a'], {
      cwd: repo,
      env: { ...process.env, GIT_COMMITTER_DATE: date, GIT_AUTHOR_DATE: date }
    })
    expect((await commitTime(repo))?.toISOString()).toBe('2026-03-04T05:06:07.000Z')
    expect(await commitTime(scratchDir('not-git-'))).toBeUndefined()
  })
})
