/**
 * A tiny sequential runner for browser tests: named steps sharing one page, a summary line
 * `e2e: N passed, M failed`, and a non-zero exit code on failure. Edit to change reporting.
 */
export interface E2ETest<Context> {
  name: string;
  run: (context: Context) => Promise<void>;
}

export async function runTests<Context>(tests: ReadonlyArray<E2ETest<Context>>, context: Context): Promise<{ passed: number; failed: number }> {
  let passed = 0;
  let failed = 0;
  for (const test of tests) {
    const started = performance.now();
    try {
      await test.run(context);
      passed += 1;
      console.log(`  ✓ ${test.name} (${Math.round(performance.now() - started)} ms)`);
    } catch (error) {
      failed += 1;
      console.log(`  ✗ ${test.name}\n      ${error instanceof Error ? error.message.split("\n").join("\n      ") : String(error)}`);
    }
  }
  return { passed, failed };
}
