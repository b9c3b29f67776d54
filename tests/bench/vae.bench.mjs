// VAE training-speed benchmark (against dist/): the quality bar's model, 784-400-20 with a
// mirrored decoder, Bernoulli likelihood, batch 128, Adam, on the MNIST training digits,
// trained by (1) gateflow's engine (float32 tape), (2) the same model written with
// @tensorflow/tfjs on its wasm backend (SIMD, single-threaded in Node) and (3) on its
// pure-JavaScript cpu backend, all in this one process. Reports samples per second and
// GFLOP/s, counting 3 × the forward pass's multiply-adds × 2 per sample (the usual
// forward + backward estimate). Each figure is the best of a few timed runs after a warm-up:
// other processes share the 2 cores.
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (p) => import(pathToFileURL(join(root, 'dist', p)).href);
const vae = await dist('train/vae/index.js');
const { readMnist } = await dist('io/dataset.js');
const { createRandom } = await dist('random.js');

const INPUT = 784;
const HIDDEN = 400;
const LATENT = 20;
const BATCH = 128;
const FLOP_PER_SAMPLE = 3 * 2 * (INPUT * HIDDEN + HIDDEN * 2 * LATENT + LATENT * HIDDEN + HIDDEN * INPUT);

console.log(`machine: ${cpus().length} cores, load average ${loadavg()[0].toFixed(2)} (figures are noisy when the load is high)`);
console.log(`model ${INPUT}-${HIDDEN}-${LATENT}, batch ${BATCH}, Adam lr 1e-3; ${(FLOP_PER_SAMPLE / 1e6).toFixed(2)} MFLOP per sample (3 × forward)`);

const mnist = readMnist();
const split = vae.splitDataset(mnist, vae.MNIST_TEST_COUNT, createRandom(vae.MNIST_SPLIT_SEED));

/** Best samples/s over `runs` runs of `steps` training steps, after `warmup` steps. */
function measure(step, { warmup, steps, runs }) {
  for (let i = 0; i < warmup; i++) step(i);
  let best = 0;
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    for (let i = 0; i < steps; i++) step(warmup + r * steps + i);
    const seconds = (performance.now() - start) / 1000;
    best = Math.max(best, (steps * BATCH) / seconds);
  }
  return best;
}

function report(name, samplesPerSecond, reference) {
  const gflops = (samplesPerSecond * FLOP_PER_SAMPLE) / 1e9;
  const ratio = reference ? `  (${(samplesPerSecond / reference).toFixed(2)}× gateflow)` : '';
  console.log(`${name.padEnd(34)} ${samplesPerSecond.toFixed(0).padStart(6)} samples/s  ${gflops.toFixed(2).padStart(6)} GFLOP/s${ratio}`);
}

// (1) gateflow: one epoch's worth of batches through the library's own training loop.
const batches = Math.floor(split.train.count / BATCH);
const epochRows = { ...split.train, count: batches * BATCH, values: split.train.values.subarray(0, batches * BATCH * INPUT) };
let gateflowBest = 0;
{
  vae.trainVae({ ...epochRows, count: BATCH * 5, values: epochRows.values.subarray(0, BATCH * 5 * INPUT) }, undefined, createRandom(0), { latent: LATENT, hidden: HIDDEN, epochs: 1, batch: BATCH });
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    vae.trainVae(epochRows, undefined, createRandom(run), { latent: LATENT, hidden: HIDDEN, epochs: 1, batch: BATCH });
    gateflowBest = Math.max(gateflowBest, epochRows.count / ((performance.now() - start) / 1000));
  }
  report('gateflow engine (float32)', gateflowBest);
}

// (2), (3) The same model in tfjs.
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
    const start = (i % batches) * BATCH * INPUT;
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
