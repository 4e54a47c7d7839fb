import { seededStream } from './seeded.js'

test('a stream replays for the same seed and name, and differs between names', () => {
  const [a, b, other] = [seededStream('fixtures'), seededStream('fixtures'), seededStream('other')]
  const first = a(40)
  expect(first).toHaveLength(40)
  expect(b(40)).toEqual(first)
  expect(other(40)).not.toEqual(first)
  // Draws continue the stream rather than repeat it.
  expect(a(40)).not.toEqual(first)
})

test('the run has a seed, chosen by the global setup', () => {
  expect(process.env.TEST_SEED).toMatch(/^\d+$/)
})
