// The loader fuzzer's quick run (issue 12): for each of the fourteen loaders, 200 seeded
// mutants of valid inputs, each of which must load or end in a GateflowError, within 5 s
// (plus 0.1 s a MB of input) and 256 MB per case, in a child process with a 768 MB heap (so a
// crash or hang is reported with the case that caused it). `npm run fuzz` runs 10,000 per loader.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module shared with `npm run fuzz`, without type declarations.
import { describeFailures, LOADER_NAMES, runLoader } from './run.mjs';

const CASES = 200;
const SEED = 12;
/** Loaders whose cases cost more (the folder loader writes and reads a folder per case) run fewer. */
const QUICK_CASES: Record<string, number> = { 'series-folder': 40 };
/**
 * Loaders built to accept what they can (the labelled-series readers interpolate missing values,
 * skip a folder's bad files) load about half their mutants; the others refuse most.
 */
const LENIENT = new Set(['labelled-series', 'series-folder']);

/** Asserts one loader's quick run. */
async function quickRun(name: string): Promise<void> {
  const cases = QUICK_CASES[name] ?? CASES;
  // A hang is caught by the stall watchdog (a case making no progress for 20 s, stretched by the
  // load) and named; the total cap only has to stay under the test's own 180 s. A fixed 80 s
  // total failed healthy runs of the cell loader at load 12 and above.
  const summary = await runLoader(name, cases, SEED, { timeoutMs: 170_000, stallMs: 20_000 });
  expect(describeFailures(summary).join('\n')).toBe('');
  expect(summary.cases).toBe(cases);
  expect(summary.ok + summary.typed).toBe(cases);
  // The mutants must reach past the first check: some load, and most (a lenient loader: some) are refused.
  expect(summary.typed).toBeGreaterThan(LENIENT.has(name) ? cases / 5 : cases / 2);
  if (LENIENT.has(name)) expect(summary.ok).toBeGreaterThan(cases / 5);
}

const title = `%s: ${CASES} mutants (fewer for a costly loader) each load or end in a typed error, in time and memory`;

describe.concurrent('loader fuzzing', () => {
  it.each((LOADER_NAMES as string[]).filter((name) => !LENIENT.has(name)))(title, quickRun, 180_000);
});

// The benchmark's loaders (issue 13) run after the others, one at a time: twelve children at
// once already fill a loaded machine, and a fourteenth pushed the slowest (cell) past its time.
describe('loader fuzzing, the benchmark loaders', () => {
  it.each([...LENIENT])(title, quickRun, 180_000);
});
