/**
 * Random test values from the run's seed (TEST_SEED, set by seed-setup.js): each test file draws its own stream from
 * it, so a failing run replays with the same values. Not for secrets of the tests' own infrastructure (passwords of a
 * test registry), which need no replay.
 */
import { createHash } from 'node:crypto'

const seed = process.env.TEST_SEED ?? '0'

/** A stream of bytes for `name` (e.g. the fixture module's name): SHA-256 in counter mode over seed, name and block. */
export function seededStream(name: string): (n: number) => Buffer {
  let counter = 0
  let pool = Buffer.alloc(0)
  return (n: number): Buffer => {
    while (pool.length < n) {
      const block = createHash('sha256').update(`${seed}:${name}:${counter++}`).digest()
      pool = Buffer.concat([pool, block])
    }
    const out = pool.subarray(0, n)
    pool = pool.subarray(n)
    return Buffer.from(out)
  }
}
