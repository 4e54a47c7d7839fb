// Recall evaluation of the secret scan (`npm run eval:scan`): a corpus generated at run time from every provider
// family's documented format (src/secrets/rules/*.ts cases, valid checksums where the format has one), each
// value written in 14 syntaxes under its usual key name, plus look-alikes and placeholders in the same syntaxes.
// Prints recall per provider and per syntax and the false positives on the negatives; exits 1 below the target.
//
// Options: --seed N (default: the current time; printed so a run can be repeated), --dir PATH, --target 0.95.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { FAMILIES } from '../src/secrets/rules/index.js'
import type { Family, Rand, RuleCase } from '../src/secrets/rules/types.js'
import { pct, scanCorpus, tally, type Tally } from './corpus.js'

const args = process.argv.slice(2)
const option = (name: string): string | undefined => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const seed = Number(option('--seed') ?? Date.now() % 2 ** 31)
const target = Number(option('--target') ?? 0.95)

/** mulberry32: a small seeded generator, so that a corpus can be rebuilt from its seed. */
function seeded(s: number): Rand {
  let a = s >>> 0
  return {
    int(n: number): number {
      a = (a + 0x6d2b79f5) >>> 0
      let t = a
      t = Math.imul(t ^ (t >>> 15), t | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)
    }
  }
}

const camel = (key: string): string => key.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())
const snake = (key: string): string => key.toLowerCase()

interface Syntax {
  name: string
  file: string
  /** The file's text and the 1-based line the value is on. */
  write(key: string, value: string): { text: string; line: number }
}

const SYNTAXES: Syntax[] = [
  { name: 'env', file: '.env', write: (k, v) => ({ text: `# service\nLOG_LEVEL=info\n${k}=${v}\n`, line: 3 }) },
  { name: 'shell', file: 'deploy.sh', write: (k, v) => ({ text: `#!/bin/sh\nset -e\nexport ${k}="${v}"\n./run\n`, line: 3 }) },
  { name: 'yaml', file: 'config.yaml', write: (k, v) => ({ text: `service:\n  name: api\n  ${snake(k)}: ${v}\n`, line: 3 }) },
  { name: 'json', file: 'config.json', write: (k, v) => ({ text: `{\n  "name": "api",\n  "${k}": "${v}"\n}\n`, line: 3 }) },
  { name: 'toml', file: 'config.toml', write: (k, v) => ({ text: `[service]\nname = "api"\n${snake(k)} = "${v}"\n`, line: 3 }) },
  { name: 'ini', file: 'settings.ini', write: (k, v) => ({ text: `[default]\nregion = eu-west-1\n${snake(k)} = ${v}\n`, line: 3 }) },
  { name: 'go', file: 'main.go', write: (k, v) => ({ text: `package main\n\nvar ${camel(k)} string = "${v}"\n`, line: 3 }) },
  { name: 'python', file: 'settings.py', write: (k, v) => ({ text: `import os\n\n${k} = "${v}"\n`, line: 3 }) },
  { name: 'js/ts', file: 'config.ts', write: (k, v) => ({ text: `// client settings\n\nexport const ${camel(k)}: string = '${v}'\n`, line: 3 }) },
  { name: 'java', file: 'App.java', write: (k, v) => ({ text: `class App {\n  static {\n    System.setProperty("${k}", "${v}");\n  }\n}\n`, line: 3 }) },
  { name: 'php', file: 'config.php', write: (k, v) => ({ text: `<?php\n$config = [];\n$config['${snake(k)}'] = '${v}';\n`, line: 3 }) },
  { name: 'makefile', file: 'Makefile', write: (k, v) => ({ text: `IMAGE ?= api\n\n${k} ?= ${v}\n`, line: 3 }) },
  { name: 'xml', file: 'settings.xml', write: (k, v) => ({ text: `<settings>\n  <${camel(k)}>\n    ${v}\n  </${camel(k)}>\n</settings>\n`, line: 3 }) },
  { name: 'dockerfile', file: 'Dockerfile', write: (k, v) => ({ text: `FROM python:3.12-slim\n\nENV ${k}=${v}\n`, line: 3 }) }
]

const PLACEHOLDERS = [
  'your-api-token-here',
  '${API_TOKEN}',
  'xxxxxxxxxxxxxxxxxxxxxxxx',
  '<token>',
  'changeme',
  'REPLACE_ME',
  '{{ .Values.token }}',
  '%API_TOKEN%'
]

interface Sample {
  family: string
  syntax: string
  file: string
  line: number
  rule: string
}

const root = option('--dir') ?? mkdtempSync(join(tmpdir(), 'sandbox-scan-eval-'))
const write = (rel: string, text: string): void => {
  mkdirSync(dirname(join(root, rel)), { recursive: true })
  writeFileSync(join(root, rel), text)
}

const rand = seeded(seed)
const samples: Sample[] = []
const negatives: string[] = []
let n = 0
const add = (family: Family, c: RuleCase): void => {
  if (c.key !== undefined) {
    for (const syntax of SYNTAXES) {
      const value = c.make(rand)
      const { text, line } = syntax.write(c.key, value)
      const file = `pos/${syntax.name.replace('/', '-')}/${n++}/${syntax.file}`
      write(file, text)
      samples.push({ family: family.name, syntax: syntax.name, file, line, rule: c.rule })
    }
  }
  if (c.content !== undefined || c.key === undefined) {
    const value = c.make(rand)
    const file = `pos/native/${n++}/${c.file ?? 'a.txt'}`
    write(file, `# one\n# two\n${(c.content ?? ((v: string) => `value: ${v}`))(value)}\n`)
    samples.push({ family: family.name, syntax: 'native', file, line: 3 + (c.line ?? 1) - 1, rule: c.rule })
  }
  const neg = `neg/native/${n++}/${c.file ?? 'a.txt'}`
  write(neg, `${c.negatives.join('\n')}\n`)
  negatives.push(neg)
  for (const syntax of SYNTAXES) {
    const key = c.key ?? 'API_TOKEN'
    const placeholder = PLACEHOLDERS[rand.int(PLACEHOLDERS.length)] ?? 'changeme'
    const file = `neg/${syntax.name.replace('/', '-')}/${n++}/${syntax.file}`
    write(file, syntax.write(key, placeholder).text)
    negatives.push(file)
  }
}
for (const family of FAMILIES) for (const c of family.cases) add(family, c)
writeFileSync(join(root, 'Dockerfile'), 'FROM python:3.12-slim\n')

const { seconds, byFile } = await scanCorpus(root)

const perFamily = new Map<string, Tally>()
const perSyntax = new Map<string, Tally>()
const misses: string[] = []
for (const s of samples) {
  const hits = (byFile.get(s.file) ?? []).filter(h => h.line === s.line)
  const found = hits.length > 0
  const named = hits.some(h => h.rule === s.rule)
  tally(perFamily, s.family, found, named)
  tally(perSyntax, s.syntax, found, named)
  tally(perSyntax, 'all', found, named)
  if (!found) misses.push(`${s.rule} in ${s.syntax} (${s.file})`)
}
const falsePositives = negatives.flatMap(file => (byFile.get(file) ?? []).map(h => `${file}:${h.line} ${h.rule}`))

const table = (title: string, map: Map<string, Tally>): void => {
  console.log(`\n${title}`)
  const width = Math.max(...[...map.keys()].map(k => k.length))
  for (const [key, t] of [...map].sort((a, b) => a[0].localeCompare(b[0]))) {
    console.log(
      `  ${key.padEnd(width)}  recall ${pct(t.found, t.total).padStart(6)}  specific rule ${pct(t.named, t.total).padStart(6)}  (${t.found}/${t.total})`
    )
  }
}

const all = perSyntax.get('all') ?? { found: 0, named: 0, total: 0 }
perSyntax.delete('all')
console.log(
  `eval:scan seed ${seed}: ${samples.length} positives from ${FAMILIES.length} families (${perFamily.size} with samples) in ${SYNTAXES.length} syntaxes + native files, ${negatives.length} negative files; scanned in ${seconds.toFixed(2)} s`
)
table('Recall per provider family', perFamily)
table('Recall per syntax', perSyntax)
console.log(
  `\nOverall recall ${pct(all.found, all.total)} (${all.found}/${all.total}), specific rule ${pct(all.named, all.total)}; target >= ${pct(target, 1)}`
)
console.log(`False positives on negatives: ${falsePositives.length}`)
for (const fp of falsePositives.slice(0, 30)) console.log(`  FP ${fp}`)
for (const miss of misses.slice(0, 40)) console.log(`  MISS ${miss}`)
if (option('--dir') === undefined) rmSync(root, { recursive: true, force: true })
const ok = all.found / Math.max(1, all.total) >= target && falsePositives.length === 0
console.log(ok ? 'PASS' : 'FAIL')
process.exitCode = ok ? 0 : 1
