// One seed for the whole run, chosen before the workers start (they inherit it): TEST_SEED=<n> replays a run.
import { randomInt } from 'node:crypto'

export default function chooseSeed() {
  if (!/^\d+$/.test(process.env.TEST_SEED ?? '')) process.env.TEST_SEED = String(randomInt(2 ** 31))
}
