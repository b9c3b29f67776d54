// The minibatch loop the VAE experiment scripts (vae-mig-diagnose.mjs, vae-conv-start.mjs) train
// with, kept apart from the library's continueTraining on purpose: one stream feeds both the
// Fisher–Yates shuffle and the noise, each pass drops its last count mod batch rows, and it stops
// after `images` even mid-pass. The library loop orders the rows differently, so switching would
// change the README figures these scripts made (vae-loop-check.mjs shows when the two agree).
// heldOutCells is the row both scripts print after each measured stretch.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (p) => import(pathToFileURL(join(root, 'dist', p)).href);
const vae = await dist('train/vae/index.js');
const { batchLoss } = await dist('train/vae/model.js');
const { encodeMeans, encodePosteriors, evaluate } = await dist('train/vae/train.js');
const { Tape, BufferPool } = await dist('engine/index.js');
const { createRandom } = await dist('random.js');

/** Trains `model` in place; calls afterBatch(seen) after each optimizer step. */
export function trainLikeScripts({ model, optimizer, random, train, count, dim, batch, latent, lossOptions, images, afterBatch = () => {} }) {
  const pool = new BufferPool();
  const x = new Float32Array(batch * dim);
  let order = null;
  let next = count;
  for (let seen = 0; seen < images; ) {
    if (next + batch > count) {
      order = Int32Array.from({ length: count }, (_, i) => i);
      for (let i = count - 1; i > 0; i--) {
        const j = random.int(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      next = 0;
    }
    for (let r = 0; r < batch; r++) x.set(train.subarray(order[next + r] * dim, (order[next + r] + 1) * dim), r * dim);
    next += batch;
    const eps = new Float32Array(batch * latent);
    random.fillNormal(eps);
    const tape = new Tape({ pool });
    const pieces = batchLoss(tape, model, { shape: [batch, dim], data: x }, { shape: [batch, latent], data: eps }, lossOptions);
    optimizer.zeroGrad();
    tape.backward(pieces.loss);
    optimizer.step();
    pool.reset();
    seen += batch;
    afterBatch(seen);
  }
}

/**
 * The measured columns of a script's row on the held-out sprites: reconstruction, KL, active
 * dimensions, Chen et al.'s MIG and its gap per factor (scale, orientation, x, y), the histogram
 * MIG; and the KL of each latent, largest first.
 */
export function heldOutCells(model, { held, heldFactors, factors, latent, samples }) {
  const tested = evaluate(model, held, createRandom(4));
  const posteriors = encodePosteriors(model, held);
  const klPerLatent = new Float64Array(latent);
  posteriors.mu.forEach((mu, i) => {
    const lv = posteriors.logvar[i];
    klPerLatent[i % latent] += (0.5 * (mu * mu + Math.exp(lv) - lv - 1)) / held.count;
  });
  const means = encodeMeans(model, held);
  const chen = vae.migSampled(posteriors, heldFactors, factors, createRandom(5), { factorsUsed: [1, 2, 3, 4], samples });
  const cells = [tested.reconstruction.toFixed(1), tested.kl.toFixed(2), vae.activeDimensions(means, latent), chen.mig.toFixed(3), chen.perFactor.map((f) => f.gap.toFixed(2)).join(' '), vae.mig(means, latent, heldFactors, factors).mig.toFixed(3)];
  return { cells, klPerLatent: Array.from(klPerLatent).sort((a, b) => b - a).map((v) => v.toFixed(1)).join(' ') };
}
