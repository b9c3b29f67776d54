// The loader fuzzer's quick run (issue 12): for each of the fourteen loaders, 200 seeded
// mutants of valid inputs, each of which must load or end in a GateflowError, within 5 s
// (plus 0.1 s a MB of input) and 256 MB per case, in a child process with a 768 MB heap (so a
// crash or hang is reported with the case that caused it). `npm run fuzz` runs 10,000 per loader.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module shared with `npm run fuzz`, without type declarations.
import { describeFailures, LOADER_NAMES, replayArgs, runLoader, showCase } from './run.mjs';

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

/** The hashes `node tests/fuzz/run.mjs ARGS` prints (one per shown case), the command a failure report gives. */
function replayedHashes(args: string[]): string[] {
  const run = spawnSync(process.execPath, [fileURLToPath(new URL('./run.mjs', import.meta.url)), ...args], { encoding: 'utf8', timeout: 60_000 });
  return [...run.stdout.matchAll(/\(hash ([0-9a-f]{16})\)/g)].map((m) => m[1]);
}

// A failure report's replay command must print the very input the run loaded at that case (a long
// cell run once reported a 56,068-character input whose replay gave 48,308 characters: --show used
// the quick run's seeds). Each case, generated alone, must equal the same case inside a run: after
// the warm-up, after the cases before it were loaded.
describe('replaying a fuzz case', () => {
  it.concurrent.each([
    // The long cell run (full-size deep statements; case 1 of seed 29 mutates one), and a structured mutation of bytes.
    { name: 'cell', seed: 29, cases: 2, long: true },
    { name: 'safetensors', seed: SEED, cases: 4, long: false },
  ])('$name (long: $long): the report\'s replay command prints the input each case of a run had', async ({ name, seed, cases, long }) => {
    const summary = await runLoader(name, cases, seed, { long, hashes: true });
    expect(summary.hashes).toHaveLength(cases);
    expect(new Set(summary.hashes).size).toBe(cases);
    // Shown last case first: the last is generated alone, and no case after the ones before it.
    const backwards = Array.from({ length: cases }, (_, i) => cases - 1 - i);
    const args = replayArgs(summary, backwards.join(','));
    expect(args.includes('--quick')).toBe(!long);
    expect(replayedHashes(args)).toEqual(backwards.map((i) => summary.hashes[i]));
    // The seed sizes are part of the case: the other run's case 1 is another input, so a replay that lost them would fail above.
    if (name === 'cell') expect(showCase(name, seed, 1, { long: !long })).not.toContain(summary.hashes[1]);
  }, 60_000);
});
