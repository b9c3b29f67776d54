// The loader fuzzer's driver: one child process per loader (run with a heap limit, killed
// when it overruns its time), and a report per loader. `npm test` runs a few hundred cases
// per loader through fuzz.test.ts, with the quick run's seeds; `npm run fuzz` runs 10,000
// with the long run's (full-size deep statements for the cell loader).
//   node tests/fuzz/run.mjs [--cases N] [--seed S] [--loader NAME] [--quick] [--show CASE[,CASE...]]
// A case's input is a pure function of (loader, seed, case, --quick): each case draws from its
// own random stream, and nothing else (environment, earlier cases, file order) enters it. Each
// failure is reported with its input's size and hash and the command that prints that input:
//   replay: node tests/fuzz/run.mjs --loader cell --seed 29 --show 3422
// (with --quick when the failure came from `npm test`'s quick run). The replayed line starts
// with the same size and hash as the report's; `--show` never runs the loader, so load the
// input yourself (child.mjs's inputFor gives it as a value).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./child.mjs', import.meta.url));
export const LOADER_NAMES = ['cell', 'theme', 'sequence', 'series', 'labelled-series', 'series-folder', 'dataset', 'json-weights', 'safetensors', 'onnx', 'vae-model', 'rnn-model', 'keras', 'outputs'];
/** The child's V8 heap limit: an allocation sized by a file's claims ends the child, and the parent reports it. */
const HEAP_MB = 768;

/** Runnable processes per core (at least 1): a loaded machine runs each case several times slower. */
const loadFactor = () => Math.max(1, loadavg()[0] / availableParallelism());

/**
 * Runs a child to its end (or kills it): its status, stdout and stderr. It is killed at
 * `timeoutMs`, or when `stallMs` (stretched by the load) pass without the progress file
 * changing: a hang is one case that never ends, while a long run on a loaded machine keeps
 * moving (a fixed total limit killed a healthy 3,000-case cell run at load 14 and called it a hang).
 */
function runChild(args, env, timeoutMs, { progressFile, stallMs } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env });
    let stdout = '';
    let stderr = '';
    let timedOut = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    const kill = (why) => {
      timedOut = why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill(`no result within ${timeoutMs} ms (hang?)`), timeoutMs);
    let last = { text: '', since: Date.now() };
    const watchdog = stallMs
      ? setInterval(() => {
          let text = '';
          try {
            text = readFileSync(progressFile, 'utf8');
          } catch {
            // Not written yet: the child is still warming up.
          }
          if (text !== last.text) last = { text, since: Date.now() };
          else if (Date.now() - last.since > stallMs * loadFactor()) kill(`case ${text.trim() || '(warm-up)'} made no progress for ${Math.round((Date.now() - last.since) / 1000)} s (hang?)`);
        }, 2000)
      : undefined;
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      if (watchdog) clearInterval(watchdog);
      resolve({ status, signal, stdout, stderr, timedOut });
    });
  });
}

/**
 * Runs `cases` cases of one loader; returns the child's summary, or a failure describing a crash
 * or hang. `long`: the long run's seeds; `hashes`: the summary lists every case's input hash.
 */
export async function runLoader(name, cases, seed, { timeoutMs = 60_000 + cases * 100, stallMs, long = false, hashes = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gateflow-fuzz-'));
  const progressFile = join(dir, 'progress');
  const flags = [...(long ? ['--long'] : []), ...(hashes ? ['--hashes'] : [])];
  try {
    const run = await runChild([`--max-old-space-size=${HEAP_MB}`, CHILD, name, String(cases), String(seed), ...flags], { ...process.env, FUZZ_PROGRESS_FILE: progressFile }, timeoutMs, { progressFile, stallMs });
    const line = run.stdout.trim().split('\n').pop();
    if (run.status === 0 && line?.startsWith('{')) return JSON.parse(line);
    // Crashed or killed: the progress file names the case it was in.
    let last = -1;
    try {
      last = Number(readFileSync(progressFile, 'utf8').trim().split('\n').pop() || -1);
    } catch {
      // No progress file: the child failed before its first case.
    }
    const why = run.timedOut ? run.timedOut : `child exited with ${run.status ?? run.signal}: ${run.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 400)}`;
    const input = last >= 0 ? showCase(name, seed, last, { long }) : '(before the first case)';
    return { loader: name, seed, long, cases: Math.max(last, 0), ok: 0, typed: 0, failures: [{ case: last, problems: [why], input }], slowestMs: 0, maxGrowthMb: 0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The input of case `index` (or of several: '3,7'), one line each as a failure report shows it, without running the loader. */
export function showCase(name, seed, index, { long = false } = {}) {
  const run = spawnSync(process.execPath, [CHILD, name, '0', String(seed), ...(long ? ['--long'] : []), '--show', String(index)], { encoding: 'utf8', timeout: 60_000 });
  return run.stdout.trim();
}

/** The arguments of run.mjs that print case `index` of a run (its summary): the run's loader, seed and seed sizes. */
export function replayArgs(summary, index) {
  return ['--loader', summary.loader, '--seed', String(summary.seed), ...(summary.long ? [] : ['--quick']), '--show', String(index)];
}

/** One line per failure: enough to replay it (the command printing its input) and to see the input. */
export function describeFailures(summary) {
  return summary.failures.map((f) => `${summary.loader} seed ${summary.seed} case ${f.case}: ${f.problems.join('; ')}\n    input ${f.input}\n    replay: node tests/fuzz/run.mjs ${replayArgs(summary, f.case).join(' ')}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const option = (flag, fallback) => {
    const i = process.argv.indexOf(flag);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const cases = Number(option('--cases', '10000'));
  const seed = Number(option('--seed', '1'));
  const names = option('--loader') ? [option('--loader')] : LOADER_NAMES;
  // A run from here is long (the cell loader's full-size deep statements, loaders.mjs) unless
  // --quick asks for the quick run's seeds; --show takes the same flag, so it shows what the run ran.
  const long = !process.argv.includes('--quick');
  if (option('--show')) {
    console.log(showCase(names[0], seed, option('--show'), { long }));
    process.exit(0);
  }
  let failed = 0;
  console.log('loader        cases     ok  typed  failures  slowest ms  max growth MB  seconds');
  for (const name of names) {
    const start = Date.now();
    // A long run has no total limit worth the name; a case that stops moving for 2 minutes (times the load) is a hang.
    const summary = await runLoader(name, cases, seed, { timeoutMs: 24 * 3600_000, stallMs: 120_000, long });
    failed += summary.failures.length;
    console.log(`${name.padEnd(12)} ${String(summary.cases).padStart(6)} ${String(summary.ok).padStart(6)} ${String(summary.typed).padStart(6)} ${String(summary.failures.length).padStart(9)} ${String(summary.slowestMs).padStart(11)} ${String(summary.maxGrowthMb).padStart(14)} ${String(Math.round((Date.now() - start) / 1000)).padStart(8)}`);
    for (const line of describeFailures(summary).slice(0, 20)) console.log(line);
  }
  process.exit(failed > 0 ? 1 : 0);
}
