// After a failed run, the seed its random fixtures were drawn from, so the same values can be drawn again.
export default class SeedReporter {
  onRunComplete(_contexts, results) {
    if (results.numFailedTests > 0 || results.numRuntimeErrorTestSuites > 0) {
      console.log(`Random test fixtures were drawn with TEST_SEED=${process.env.TEST_SEED}: run again with it to draw the same values.`)
    }
  }
}
