// How often each rule misses a real key: thousands of fresh values of every provider case, in its documented
// format, each scanned as the file the case names. A fixed bar of randomness misses real keys now and then (a 3.2-bit
// bar on 32 hex digits, one in 200; a short word inside a random body, one in 700), so a rule passes here only when
// it finds every one. The values come from a fixed seed, not the run's: a miss is a measured rate, not a bad draw,
// and the same draws replay everywhere.
import { createHash } from 'node:crypto'
import { basename, dirname } from 'node:path'
import { BUFFER_SIZE, scanFile } from '../../src/secrets/engine.js'
import { FAMILIES } from '../../src/secrets/rules/index.js'
import type { Rand } from '../../src/secrets/rules/types.js'
import { fileKind } from '../../src/secrets/scan.js'
import { shannonEntropy } from '../../src/secrets/values.js'

const DRAWS = 2000

/** SHA-256 in counter mode over a fixed seed. */
function fixedRand(seed: string): Rand {
  let counter = 0
  let block = Buffer.alloc(0)
  let at = 0
  return {
    int(n: number): number {
      if (at + 4 > block.length) {
        block = createHash('sha256').update(`${seed}:${counter++}`).digest()
        at = 0
      }
      const value = block.readUInt32BE(at)
      at += 4
      return value % n
    }
  }
}

const buf = Buffer.alloc(BUFFER_SIZE)

function findsIt(rule: string, text: string, file: string): boolean {
  const data = Buffer.from(text, 'latin1')
  const kind = fileKind(basename(file), basename(dirname(`ctx/${file}`)), basename(file) === 'Dockerfile')
  const scan = scanFile((b, o, l, p) => data.copy(b, o, p, Math.min(data.length, p + l)), buf, data.length, kind)
  return scan.findings.some(f => f.rule === rule && !f.example && !f.allowed)
}

const CASES = FAMILIES.flatMap(family => family.cases.map((c, i) => ({ name: `${family.name}: ${c.rule} (case ${i + 1})`, c })))

test.each(CASES)(`$name finds all of ${DRAWS} fresh values`, ({ name, c }) => {
  const rand = fixedRand(`miss-rate:${name}`)
  const content = c.content ?? ((v: string) => `value: ${v}`)
  const missed: string[] = []
  for (let i = 0; i < DRAWS; i++) {
    const value = c.make(rand)
    if (!findsIt(c.rule, `\n\n${content(value)}\n`, c.file ?? 'a.txt')) missed.push(`${value} (${shannonEntropy(value).toFixed(2)} bits)`)
  }
  expect(missed).toEqual([])
})
