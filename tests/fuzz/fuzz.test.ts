// The loader fuzzer's quick run (issue 12): for each of the twelve loaders, 200 seeded
// mutants of valid inputs, each of which must load or end in a GateflowError, within 5 s
// (plus 0.1 s a MB of input) and 256 MB per case, in a child process with a 768 MB heap (so a
// crash or hang is reported with the case that caused it). `npm run fuzz` runs 10,000 per loader.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module shared with `npm run fuzz`, without type declarations.
import { describeFailures, LOADER_NAMES, runLoader } from './run.mjs';

const CASES = 200;
const SEED = 12;

describe.concurrent('loader fuzzing', () => {
  it.each(LOADER_NAMES as string[])(`%s: ${CASES} mutants each load or end in a typed error, in time and memory`, async (name) => {
    const summary = await runLoader(name, CASES, SEED);
    expect(describeFailures(summary).join('\n')).toBe('');
    expect(summary.cases).toBe(CASES);
    expect(summary.ok + summary.typed).toBe(CASES);
    // The mutants must reach past the first check: some load, and most are refused.
    expect(summary.typed).toBeGreaterThan(CASES / 2);
  }, 180_000);
});
