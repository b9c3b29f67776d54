// One loader's fuzz run, in a child process so that a crash, a hang or runaway memory is
// seen by the parent (run.mjs) instead of taking it down. Prints one JSON summary line.
//   node tests/fuzz/child.mjs LOADER CASES SEED [--long] [--hashes] [--show CASE[,CASE...]]
// --long: the long run's seeds (full-size deep statements); --hashes: the summary lists every
// case's input hash; --show: prints those cases' inputs (one line each) instead of running.
import { createHash } from 'node:crypto';
import { openSync, writeSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createRandom, GateflowError, LOADERS } from './loaders.mjs';
import { mutateBytes, mutateText } from './mutate.mjs';

const [name, casesText, seedText, ...flags] = process.argv.slice(2);
const loader = LOADERS[name];
if (!loader) throw new Error(`unknown loader '${name}' (${Object.keys(LOADERS).join(', ')})`);
const cases = Number(casesText);
const seed = Number(seedText);
const long = flags.includes('--long');
const showText = flags.includes('--show') ? flags[flags.indexOf('--show') + 1] : undefined;
/**
 * Per case: over this is a failure (a hang is caught by the parent's timeout). Reading is
 * linear, so a mutant near the 64 MB cap (line duplication makes them) gets 0.1 s per MB more.
 */
const TIME_LIMIT_MS = Number(process.env.FUZZ_TIME_LIMIT_MS ?? 5000);
const TIME_PER_MB_MS = 100;
/**
 * A shared machine runs a case several times slower when its load is above its cores (load 16 on
 * 2 cores: a 1.5 s case took 6.8 s), so the limit stretches by runnable processes per core; a
 * real hang or quadratic blow-up still overruns it by far.
 */
const loadFactor = () => Math.max(1, loadavg()[0] / availableParallelism());
/** Per case: growth of ArrayBuffer memory or of the resident set above this is a failure. */
const MEMORY_LIMIT_MB = Number(process.env.FUZZ_MEMORY_LIMIT_MB ?? 256);
const MAX_MESSAGE = 1200;

// Everything a case's input depends on is in the arguments: the seeds come from the files
// shipped and the sizes asked (--long), never from the environment or from earlier cases.
const seeds = loader.seeds({ long });
/** The same (loader, seed, case, --long) always gives the same input: its own random stream, nothing shared. */
export function inputFor(index) {
  const random = createRandom((seed * 100_003 + index) | 0);
  const base = seeds[random.int(seeds.length)];
  if (loader.structured && random.int(2) === 0) {
    try {
      return { kind: 'bytes', value: loader.structured(base.value, random, mutateText) };
    } catch {
      // A seed the structured mutation cannot take: fall through to a plain one.
    }
  }
  return base.kind === 'text' ? { kind: 'text', value: mutateText(base.value, random, loader.json) } : { kind: 'bytes', value: mutateBytes(base.value, random) };
}

/** The first 16 hex digits of the input's SHA-256 (a text as UTF-16, so a lone surrogate counts): a replay is the same input when this matches. */
export function hashOf(input) {
  const data = input.kind === 'bytes' ? input.value : Buffer.from(input.value, 'utf16le');
  return createHash('sha256').update(data).digest('hex').slice(0, 16);
}

/** The input as a failure report and --show print it: its size, hash, and at most 300 characters (or 150 bytes in hex). */
export function preview(input) {
  const head = `${input.value.length} ${input.kind === 'bytes' ? 'bytes' : 'characters'} (hash ${hashOf(input)})`;
  if (input.kind === 'bytes') return `${head}: ${Buffer.from(input.value.subarray(0, 150)).toString('hex')}${input.value.length > 150 ? '…' : ''}`;
  const v = input.value;
  return `${head}: ${JSON.stringify(v.length > 300 ? `${v.slice(0, 200)}…${v.slice(-100)}` : v)}`;
}

if (showText !== undefined) {
  for (const index of showText.split(',')) process.stdout.write(`${preview(inputFor(Number(index)))}\n`);
  process.exit(0);
}

// Warm up on the valid seeds, untimed: the first parse loads mathjs (about a second).
for (const base of seeds) {
  try {
    await loader.load(base.value);
  } catch (error) {
    if (!(error instanceof GateflowError)) throw error;
  }
}

const progress = process.env.FUZZ_PROGRESS_FILE ? openSync(process.env.FUZZ_PROGRESS_FILE, 'w') : undefined;
const MB = 1024 * 1024;
const summary = { loader: name, seed, long, cases: 0, ok: 0, typed: 0, failures: [], slowestMs: 0, maxGrowthMb: 0, ...(flags.includes('--hashes') ? { hashes: [] } : {}) };
const baseRss = process.memoryUsage().rss;
for (let i = 0; i < cases; i++) {
  const input = inputFor(i);
  summary.hashes?.push(hashOf(input));
  if (progress !== undefined) writeSync(progress, `${i}\n`, 0);
  const before = process.memoryUsage();
  const start = performance.now();
  let outcome;
  let result;
  try {
    result = await loader.load(input.value);
    outcome = { kind: 'ok' };
  } catch (error) {
    outcome = error instanceof GateflowError ? { kind: 'typed', message: error.message } : { kind: 'untyped', message: String(error?.stack ?? error).split('\n').slice(0, 4).join(' | ') };
  }
  const ms = performance.now() - start;
  const after = process.memoryUsage();
  const growthMb = Math.max(after.arrayBuffers - before.arrayBuffers, after.rss - Math.max(before.rss, baseRss)) / MB;
  result = undefined;
  summary.cases++;
  summary.slowestMs = Math.max(summary.slowestMs, Math.round(ms));
  summary.maxGrowthMb = Math.max(summary.maxGrowthMb, Math.round(growthMb));
  const problems = [];
  if (outcome.kind === 'untyped') problems.push(`untyped error: ${outcome.message.slice(0, 400)}`);
  if (outcome.kind === 'typed' && (outcome.message.includes('\n') || outcome.message.length > MAX_MESSAGE)) problems.push(`message not one readable line (${outcome.message.length} characters)`);
  const limitMs = (TIME_LIMIT_MS + (TIME_PER_MB_MS * input.value.length) / MB) * loadFactor();
  if (ms > limitMs) problems.push(`took ${Math.round(ms)} ms (limit ${Math.round(limitMs)})`);
  if (growthMb > MEMORY_LIMIT_MB) problems.push(`memory grew ${Math.round(growthMb)} MB (limit ${MEMORY_LIMIT_MB})`);
  if (problems.length) summary.failures.push({ case: i, problems, input: preview(input) });
  else summary[outcome.kind]++;
}
process.stdout.write(`${JSON.stringify(summary)}\n`);
