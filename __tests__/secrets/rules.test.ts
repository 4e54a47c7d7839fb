// The table test of every provider family's cases (src/secrets/rules/*.ts): each positive case is found once,
// at the right line, under its rule; its look-alikes stay quiet; a dockerignored copy and a copy outside the
// context (through a symlink) are not reported; and the raw value never appears in the result or the SARIF.
import { rmSync, symlinkSync } from 'node:fs'
import { FAMILIES } from '../../src/secrets/rules/index.js'
import type { Rand, RuleCase } from '../../src/secrets/rules/types.js'
import { RULES } from '../../src/secrets/rules.js'
import { toSarif } from '../../src/secrets/sarif.js'
import { nodeIo, scanContext, scanContextWith, type ScanResult } from '../../src/secrets/scan.js'
import { openScanPool, type ScanPool } from '../../src/secrets/scan-pool.js'
import { bundledScanWorker } from '../support/scan-worker.js'
import { TempTree, onLine, randomBelow } from './fixtures.js'

const rand: Rand = { int: randomBelow }

interface Made {
  name: string
  c: RuleCase
  file: string
  raw: string
  line: number
}

const CASES: Made[] = []
const tree = new TempTree()
const outside = new TempTree('secrets-outside-')
let result: ScanResult

beforeAll(async () => {
  const seen = new Map<string, number>()
  for (const family of FAMILIES) {
    for (const c of family.cases) {
      const n = (seen.get(c.rule) ?? 0) + 1
      seen.set(c.rule, n)
      const name = `${c.rule}-${n}`
      const value = c.make(rand)
      const content = onLine(3, (c.content ?? ((v: string) => `value: ${v}`))(value))
      const file = c.file ?? 'a.txt'
      CASES.push({ name, c, file, raw: (c.raw ?? ((v: string) => v))(value), line: 2 + (c.line ?? 1) })
      tree.write(`real/${name}/${file}`, content)
      tree.write(`twin/${name}/${file}`, `${c.negatives.join('\n')}\n`)
      tree.write(`ignored/${name}/${file}`, content)
      outside.write(`${name}/${file}`, content)
    }
  }
  tree.write('.dockerignore', 'ignored\n')
  tree.write('Dockerfile', 'FROM ghcr.io/openhands/agent-server:1.23.0-python\n')
  symlinkSync(outside.root, tree.path('link-out'))
  result = await scanContext({ context: tree.root, dockerfile: tree.path('Dockerfile') })
}, 60000)

afterAll(() => {
  tree.remove()
  outside.remove()
})

test('the engine on worker threads (the bundled action’s context scan) gives the same result, every case in it', async () => {
  // More than a batch of text, so that the workers start (a smaller context is scanned on the calling thread).
  const filler = tree.write('filler/plain.txt', 'nothing to find on this line\n'.repeat(60_000))
  const pool = openScanPool(await bundledScanWorker(), 2) as ScanPool
  try {
    const options = { context: tree.root, dockerfile: tree.path('Dockerfile') }
    const alone = await scanContextWith(options, nodeIo)
    expect(await scanContextWith(options, nodeIo, pool)).toEqual(alone)
    expect(pool.threads).toBe(2)
    expect(alone.findings).toEqual(result.findings)
  } finally {
    await pool.close()
    rmSync(filler)
  }
}, 60000)

test('every rule has a case, and every case names a rule of its family', () => {
  const covered = new Set(FAMILIES.flatMap(f => f.cases.map(c => c.rule)))
  const missing = RULES.map(r => r.id).filter(id => !covered.has(id) && !id.startsWith('dockerfile-'))
  expect(missing).toEqual([])
  for (const family of FAMILIES) {
    const ids = new Set(family.rules.map(r => r.id))
    expect(family.cases.filter(c => !ids.has(c.rule)).map(c => c.rule)).toEqual([])
  }
})

test('rule ids are unique', () => {
  const ids = RULES.map(r => r.id)
  expect(ids.length).toBe(new Set(ids).size)
})

test('every case has look-alikes', () => {
  expect(FAMILIES.flatMap(f => f.cases).filter(c => c.negatives.length === 0)).toEqual([])
})

describe('each case', () => {
  test.each(FAMILIES.flatMap(f => f.cases.map(c => [c.rule, c] as const)).map(([rule], i) => [rule, i]))('%s (case %i)', (_rule, i) => {
    const made = CASES[i]!
    const found = result.findings.filter(f => f.file === `real/${made.name}/${made.file}`)
    expect(found.map(f => [f.rule, f.line])).toEqual([[made.c.rule, made.line]])
    expect(found[0]?.hint).toMatch(/^.{0,4}\u2026 \(\d+ chars\)$/)
    expect(result.findings.filter(f => f.file.startsWith(`twin/${made.name}/`))).toEqual([])
    // Nothing raw, ever: not in the result, not in the SARIF.
    expect(made.raw.length).toBeGreaterThan(7)
    expect(JSON.stringify(result)).not.toContain(made.raw)
    expect(JSON.stringify(toSarif(result, '0.0.0'))).not.toContain(made.raw)
  })
})

test('nothing is found when dockerignored or outside the context', () => {
  expect(result.findings.filter(f => !f.file.startsWith('real/') && !f.file.startsWith('twin/'))).toEqual([])
  expect(result.skipped).toContainEqual({ file: 'link-out', reason: 'symlink to outside the context, not followed' })
})

test('no other findings and no warnings', () => {
  expect(result.findings.length).toBe(CASES.length)
  expect(result.warnings).toEqual([])
})

test("findings and SARIF rules carry the provider's revoke link where the family names one", () => {
  const revokeOf = new Map(FAMILIES.flatMap(f => f.rules.map(r => [r.id, f.revoke] as const)))
  for (const finding of result.findings) expect(finding.revoke).toBe(revokeOf.get(finding.rule))
  expect(result.findings.some(f => f.rule === 'telegram-bot-token' && f.revoke === 'https://core.telegram.org/bots/features#botfather')).toBe(true)
  const sarif = toSarif(result, '0.0.0') as { runs: Array<{ tool: { driver: { rules: Array<{ id: string; helpUri?: string }> } } }> }
  const rules = sarif.runs[0]?.tool.driver.rules ?? []
  expect(rules.find(r => r.id === 'github-classic-token')?.helpUri).toMatch(/^https:\/\/docs\.github\.com\//)
  expect(rules.find(r => r.id === 'generic-secret')?.helpUri).toBeUndefined()
})
