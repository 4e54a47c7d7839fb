import { execFileSync } from 'node:child_process'
import { realpathSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { uncommittedFindings } from '../../src/phases/uncommitted.js'
import { scratchDir } from '../support/scratch.js'

it('annotates ten uncommitted files and counts the rest in one more warning', async () => {
  const repo = realpathSync(scratchDir('uncommitted-phase-'))
  execFileSync('git', ['init', '-q'], { cwd: repo })
  writeFileSync(path.join(repo, 'Dockerfile'), 'FROM x\n')
  for (let i = 10; i < 22; i++) writeFileSync(path.join(repo, `f${i}.txt`), 'x')
  writeFileSync(path.join(repo, 'skipped.log'), 'x')
  writeFileSync(path.join(repo, '.dockerignore'), '*.log\n')

  const findings = await uncommittedFindings(repo, path.join(repo, 'Dockerfile'), repo)
  expect(findings.map(f => [path.relative(repo, f.file), f.line])).toEqual([
    ['.dockerignore', 1],
    ['Dockerfile', 1],
    ...Array.from({ length: 8 }, (_, i) => [`f${10 + i}.txt`, 1]),
    ['Dockerfile', 1]
  ])
  expect(findings.at(-1)?.message).toBe('4 more uncommitted file(s) in the build context: run git status in . to see them all.')
  expect(findings.every(f => f.severity === 'warning' && f.check === 'uncommitted-changes')).toBe(true)
})
