// VAE training-speed benchmark (against dist/): the quality bar's model, 784-400-20 with a
// mirrored decoder, Bernoulli likelihood, batch 128, Adam, on the MNIST training digits,
// trained by (1) gateflow's engine (float32 tape) as the library runs it by default (fused
// multiply-add products where the runtime has relaxed SIMD), and again with useFma(false);
// (2) numpy (vae-numpy.py: the same step with its backward written out and the batch's loss
// values computed, as gateflow's trainer reports them; one BLAS thread; run when python3 with
// numpy is installed); (3) @tensorflow/tfjs on its wasm backend (SIMD, single-threaded in
// Node) and (4) on its pure-JavaScript cpu backend. Reports samples per second of CPU time and
// GFLOP/s, counting 3 × the forward pass's multiply-adds × 2 per sample (the usual forward +
// backward estimate), and each as a ratio to gateflow. gateflow and numpy take turns, the
// median of BENCH_REPEATS rounds (default 3); on a shared machine CPU time drifts less than
// the clock. With BENCH_BASELINE_DIST=<another build's dist/> (e.g. main's before a change),
// that build's training (its own defaults) is loaded into the same process and takes its turn
// too, so before and after are measured under the same load.
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Relaxed SIMD on from the start (the engine would turn it on itself on Node 20); the flag
// alone changes nothing else, so the bench runs itself again with it.
const RELAXED = '--experimental-wasm-relaxed-simd';
if (!process.execArgv.includes(RELAXED)) {
  const run = spawnSync(process.execPath, [RELAXED, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (p) => import(pathToFileURL(join(root, 'dist', p)).href);
const vae = await dist('train/vae/index.js');
const { readMnist } = await dist('io/dataset.js');
const { createRandom } = await dist('random.js');
const { useFma } = await dist('engine/index.js');
const baseline = process.env.BENCH_BASELINE_DIST
  ? await import(pathToFileURL(join(resolve(process.env.BENCH_BASELINE_DIST), 'train/vae/index.js')).href)
  : undefined;

const INPUT = 784;
const HIDDEN = 400;
const LATENT = 20;
const BATCH = 128;
const FLOP_PER_SAMPLE = 3 * 2 * (INPUT * HIDDEN + HIDDEN * 2 * LATENT + LATENT * HIDDEN + HIDDEN * INPUT);

console.log(`machine: ${cpus().length} cores, load average ${loadavg()[0].toFixed(2)} (figures are noisy when the load is high)`);
console.log(`model ${INPUT}-${HIDDEN}-${LATENT}, batch ${BATCH}, Adam lr 1e-3; ${(FLOP_PER_SAMPLE / 1e6).toFixed(2)} MFLOP per sample (3 × forward)`);

const mnist = readMnist();
const split = vae.splitDataset(mnist, vae.MNIST_TEST_COUNT, createRandom(vae.MNIST_SPLIT_SEED));

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const cpuSeconds = (f) => {
  const start = process.cpuUsage();
  f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
};

/** Best samples/s (CPU time) over `runs` runs of `steps` training steps, after `warmup` steps. */
function measure(step, { warmup, steps, runs }) {
  for (let i = 0; i < warmup; i++) step(i);
  let best = 0;
  for (let r = 0; r < runs; r++) {
    const seconds = cpuSeconds(() => {
      for (let i = 0; i < steps; i++) step(warmup + r * steps + i);
    });
    best = Math.max(best, (steps * BATCH) / seconds);
  }
  return best;
}

function report(name, samplesPerSecond, reference) {
  const gflops = (samplesPerSecond * FLOP_PER_SAMPLE) / 1e9;
  const ratio = reference ? `  (gateflow/this ${(reference / samplesPerSecond).toFixed(2)})` : '';
  console.log(`${name.padEnd(34)} ${samplesPerSecond.toFixed(0).padStart(6)} samples/s  ${gflops.toFixed(2).padStart(6)} GFLOP/s${ratio}`);
}

// (1) gateflow through the library's own training loop, and (2) numpy, taking turns.
const BATCHES = 40;
const rows = { ...split.train, count: BATCHES * BATCH, values: split.train.values.subarray(0, BATCHES * BATCH * INPUT) };
const trainRun = (lib, seed) => (BATCHES * BATCH) / cpuSeconds(() => lib.trainVae(rows, undefined, createRandom(seed), { latent: LATENT, hidden: HIDDEN, epochs: 1, batch: BATCH }));
const gateflowRun = (seed) => trainRun(vae, seed);
const scratch = mkdtempSync(join(tmpdir(), 'gateflow-vae-bench-'));
const digits = join(scratch, 'digits.f32');
writeFileSync(digits, new Uint8Array(rows.values.buffer, rows.values.byteOffset, rows.values.byteLength));
const python = spawnSync('python3', ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8' });
const numpyVersion = python.status === 0 ? python.stdout.trim() : undefined;
const numpyRun = () => {
  const run = spawnSync('python3', [join(root, 'tests', 'bench', 'vae-numpy.py'), digits, String(BATCHES)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`vae-numpy.py failed: ${run.stderr}`);
  return Number(run.stdout.trim());
};
gateflowRun(0);
if (baseline) trainRun(baseline, 0);
const gateflowRuns = [];
const baselineRuns = [];
const unfusedRuns = [];
const numpyRuns = [];
// The library's default: fused products where the runtime has them.
const fused = useFma(true);
for (let r = 0; r < REPEATS; r++) {
  gateflowRuns.push(gateflowRun(r + 1));
  if (fused) {
    useFma(false);
    unfusedRuns.push(gateflowRun(r + 1));
    useFma(true);
  }
  if (baseline) baselineRuns.push(trainRun(baseline, r + 1));
  if (numpyVersion) numpyRuns.push(numpyRun());
}
rmSync(scratch, { recursive: true, force: true });
const gateflowBest = median(gateflowRuns);
report(`gateflow engine (float32${fused ? ', fused multiply-add' : ''})`, gateflowBest);
if (numpyVersion) report(`numpy ${numpyVersion} (float32, 1 thread)`, median(numpyRuns), gateflowBest);
else console.log('numpy: not measured (python3 with numpy is not installed)');
console.log(`gateflow/numpy (samples/s ratio; the aim is ≥ 0.5): ${numpyVersion ? (gateflowBest / median(numpyRuns)).toFixed(2) : 'not measured'}`);
if (baseline) {
  report('baseline build (BENCH_BASELINE_DIST)', median(baselineRuns), gateflowBest);
  if (numpyVersion) console.log(`baseline build/numpy: ${(median(baselineRuns) / median(numpyRuns)).toFixed(2)}`);
}
if (fused) {
  report('gateflow, unfused (useFma(false))', median(unfusedRuns), gateflowBest);
  if (numpyVersion) console.log(`gateflow unfused/numpy: ${(median(unfusedRuns) / median(numpyRuns)).toFixed(2)}`);
}

// (3), (4) The same model in tfjs.
const require = createRequire(join(root, 'package.json'));
const tf = await import(pathToFileURL(require.resolve('@tensorflow/tfjs')).href);
const { setWasmPaths } = await import(pathToFileURL(require.resolve('@tensorflow/tfjs-backend-wasm')).href);
// The .wasm files ship inside the npm package: point the backend at them (no download).
setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');

function tfjsStep(backendSeed) {
  const bound = (fanIn) => 1 / Math.sqrt(fanIn);
  const dense = (name, fanIn, fanOut) => [
    tf.variable(tf.randomUniform([fanIn, fanOut], -bound(fanIn), bound(fanIn), 'float32', backendSeed), true, `${name}W_${backendSeed}`),
    tf.variable(tf.randomUniform([fanOut], -bound(fanIn), bound(fanIn), 'float32', backendSeed + 1), true, `${name}B_${backendSeed}`),
  ];
  const [encW, encB] = dense('enc', INPUT, HIDDEN);
  const [muW, muB] = dense('mu', HIDDEN, LATENT);
  const [lvW, lvB] = dense('lv', HIDDEN, LATENT);
  const [decW, decB] = dense('dec', LATENT, HIDDEN);
  const [outW, outB] = dense('out', HIDDEN, INPUT);
  const optimizer = tf.train.adam(1e-3);
  const x = split.train.values;
  return (i) => {
    const start = (i % BATCHES) * BATCH * INPUT;
    tf.tidy(() => {
      const xb = tf.tensor2d(x.subarray(start, start + BATCH * INPUT), [BATCH, INPUT]);
      const eps = tf.randomNormal([BATCH, LATENT]);
      optimizer.minimize(() => {
        const h = tf.relu(tf.add(tf.matMul(xb, encW), encB));
        const mu = tf.add(tf.matMul(h, muW), muB);
        const logvar = tf.add(tf.matMul(h, lvW), lvB);
        const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logvar, 0.5)), eps));
        const h2 = tf.relu(tf.add(tf.matMul(z, decW), decB));
        const logits = tf.add(tf.matMul(h2, outW), outB);
        // BCE on logits, overflow-free: max(l, 0) − l·x + log(1 + e^−|l|).
        const bce = tf.sum(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, xb)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))));
        const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logvar), tf.square(mu)), tf.exp(logvar))));
        return tf.div(tf.add(bce, kl), BATCH);
      });
    });
  };
}

for (const [backend, sizes] of [
  ['wasm', { warmup: 5, steps: 30, runs: 3 }],
  ['cpu', { warmup: 2, steps: 6, runs: 2 }],
]) {
  await tf.setBackend(backend);
  await tf.ready();
  const step = tfjsStep(backend === 'wasm' ? 1 : 2);
  report(`@tensorflow/tfjs ${backend} backend`, measure(step, sizes), gateflowBest);
}
