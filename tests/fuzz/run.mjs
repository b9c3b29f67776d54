// The loader fuzzer's driver: one child process per loader (run with a heap limit, killed
// when it overruns its time), and a report per loader. `npm test` runs a few hundred cases
// per loader through fuzz.test.ts; `npm run fuzz` runs 10,000 (or --cases N, --seed S,
// --loader NAME; --show CASE prints one case's input for replay).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./child.mjs', import.meta.url));
export const LOADER_NAMES = ['cell', 'theme', 'sequence', 'series', 'labelled-series', 'series-folder', 'dataset', 'json-weights', 'safetensors', 'onnx', 'vae-model', 'rnn-model', 'keras', 'outputs'];
/** The child's V8 heap limit: an allocation sized by a file's claims ends the child, and the parent reports it. */
const HEAP_MB = 768;

/** Runs a child to its end (or kills it at `timeoutMs`): its status, stdout and stderr. */
function runChild(args, env, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, timedOut });
    });
  });
}

/** Runs `cases` cases of one loader; returns the child's summary, or a failure describing a crash or hang. */
export async function runLoader(name, cases, seed, { timeoutMs = 60_000 + cases * 100 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gateflow-fuzz-'));
  const progressFile = join(dir, 'progress');
  try {
    const run = await runChild([`--max-old-space-size=${HEAP_MB}`, CHILD, name, String(cases), String(seed)], { ...process.env, FUZZ_PROGRESS_FILE: progressFile }, timeoutMs);
    const line = run.stdout.trim().split('\n').pop();
    if (run.status === 0 && line?.startsWith('{')) return JSON.parse(line);
    // Crashed or killed: the progress file names the case it was in.
    let last = -1;
    try {
      last = Number(readFileSync(progressFile, 'utf8').trim().split('\n').pop() || -1);
    } catch {
      // No progress file: the child failed before its first case.
    }
    const why = run.timedOut ? `no result within ${timeoutMs} ms (hang?)` : `child exited with ${run.status ?? run.signal}: ${run.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 400)}`;
    const input = last >= 0 ? showCase(name, seed, last) : '(before the first case)';
    return { loader: name, seed, cases: Math.max(last, 0), ok: 0, typed: 0, failures: [{ case: last, problems: [why], input }], slowestMs: 0, maxGrowthMb: 0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function showCase(name, seed, index) {
  const run = spawnSync(process.execPath, [CHILD, name, '0', String(seed), '--show', String(index)], { encoding: 'utf8', timeout: 60_000 });
  return run.stdout.trim();
}

/** One line per failure: enough to replay it (loader, seed, case) and to see the input. */
export function describeFailures(summary) {
  return summary.failures.map((f) => `${summary.loader} seed ${summary.seed} case ${f.case}: ${f.problems.join('; ')}\n    input ${f.input}\n    replay: node tests/fuzz/run.mjs --loader ${summary.loader} --seed ${summary.seed} --show ${f.case}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const option = (flag, fallback) => {
    const i = process.argv.indexOf(flag);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const cases = Number(option('--cases', '10000'));
  const seed = Number(option('--seed', '1'));
  const names = option('--loader') ? [option('--loader')] : LOADER_NAMES;
  if (option('--show')) {
    console.log(showCase(names[0], seed, option('--show')));
    process.exit(0);
  }
  // Long runs seed the cell loader with the full-size deep statements (loaders.mjs).
  process.env.FUZZ_LONG = '1';
  let failed = 0;
  console.log('loader        cases     ok  typed  failures  slowest ms  max growth MB  seconds');
  for (const name of names) {
    const start = Date.now();
    const summary = await runLoader(name, cases, seed, { timeoutMs: 600_000 + cases * 200 });
    failed += summary.failures.length;
    console.log(`${name.padEnd(12)} ${String(summary.cases).padStart(6)} ${String(summary.ok).padStart(6)} ${String(summary.typed).padStart(6)} ${String(summary.failures.length).padStart(9)} ${String(summary.slowestMs).padStart(11)} ${String(summary.maxGrowthMb).padStart(14)} ${String(Math.round((Date.now() - start) / 1000)).padStart(8)}`);
    for (const line of describeFailures(summary).slice(0, 20)) console.log(line);
  }
  process.exit(failed > 0 ? 1 : 0);
}
