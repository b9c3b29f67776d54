// `node tests/experiments/vae-mig-diagnose.mjs [--side 32] [--downsample yes] [--arch conv] [--objective beta-tcvae] [--estimator mws|mss] [--beta 4] ...`
// (after `npm run build`): short diagnostic trainings for issue 18 (what makes MIG move with β at
// low compute). One VAE on `train` dSprites-like sprites, measured on `held` held-out ones every
// `every` images: reconstruction, KL, active dimensions, Chen et al.'s MIG with its gap per factor
// (scale, orientation, x, y) and the histogram MIG. Long (minutes): never part of npm test.
// It trains with script-loop.mjs's minibatch loop rather than continueTraining's: it drops the last TRAIN mod batch
// rows of each pass and stops mid-pass, from one stream for shuffle and noise, so the library loop
// would train on another order and change the README figures made with it (vae-loop-check.mjs).
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { heldOutCells, trainLikeScripts } from './script-loop.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (p) => import(pathToFileURL(join(root, 'dist', p)).href);
const vae = await dist('train/vae/index.js');
const { optimizerFor } = await dist('train/vae/model.js');
const { setOutputPrior } = await dist('train/vae/conv-net.js');
const { createRandom } = await dist('random.js');

const defaults = { downsample: 'no', side: '32', arch: 'conv', hidden: '256', objective: 'beta-tcvae', estimator: 'mws', beta: '4', images: '15000', every: '5000', batch: '64', lr: '1e-3', seed: '1', train: '10000', held: '1000', latent: '10', samples: '1000' };
const { values } = parseArgs({ options: Object.fromEntries(Object.keys(defaults).map((k) => [k, { type: 'string', default: defaults[k] }])) });
const n = (k) => Number(values[k]);
const [side, beta, images, every, batch, lr, seed, TRAIN, HELD, LATENT] = ['side', 'beta', 'images', 'every', 'batch', 'lr', 'seed', 'train', 'held', 'latent'].map(n);
// --downsample yes: render at twice the side (64 for --side 32) and average 2×2 blocks, so the
// 64×64 set's content goes through the 32×32 network (does the data or the 64×64 network hold MIG down?).
const all = values.downsample === 'yes' ? halve(vae.makeSprites(createRandom(1), { side: 2 * side, count: TRAIN + HELD })) : vae.makeSprites(createRandom(1), { side, count: TRAIN + HELD });
function halve(big) {
  const s = big.side / 2;
  const out = new Float32Array(big.count * s * s);
  for (let i = 0; i < big.count; i++) {
    for (let r = 0; r < s; r++) {
      for (let c = 0; c < s; c++) {
        const at = (rr, cc) => big.values[i * big.dim + rr * big.side + cc];
        out[i * s * s + r * s + c] = (at(2 * r, 2 * c) + at(2 * r, 2 * c + 1) + at(2 * r + 1, 2 * c) + at(2 * r + 1, 2 * c + 1)) / 4;
      }
    }
  }
  return { ...big, side: s, dim: s * s, values: out };
}
const { dim } = all;
const factors = all.factorNames.length;
const train = all.values.subarray(0, TRAIN * dim);
const held = { count: HELD, dim, values: all.values.subarray(TRAIN * dim) };
const heldFactors = all.factors.subarray(TRAIN * factors);
const arch = values.arch === 'conv' ? { arch: 'conv' } : {};
const model = vae.createVae({ input: dim, hidden: n('hidden'), latent: LATENT, beta, likelihood: 'bernoulli', ...arch }, createRandom(seed));
if (model.params.conv) setOutputPrior(model.params.conv, train.reduce((a, v) => a + v, 0) / train.length);
const optimizer = optimizerFor(model, lr);
const random = createRandom(seed + 7);
const cpuStart = process.cpuUsage();
const t0 = Date.now();
console.log(JSON.stringify(values));
console.log('images  CPU s  wall s  recon     KL  active    MIG  gaps (scale orient. x y)   MIG hist  KL per latent');
const report = (seen) => {
  const { cells, klPerLatent } = heldOutCells(model, { held, heldFactors, factors, latent: LATENT, samples: n('samples') });
  const cpu = process.cpuUsage(cpuStart);
  console.log(`${[seen, ((cpu.user + cpu.system) / 1e6).toFixed(0), ((Date.now() - t0) / 1000).toFixed(0), ...cells].map(String).join('  ')}  ${klPerLatent}`);
};
trainLikeScripts({
  model, optimizer, random, train, count: TRAIN, dim, batch, latent: LATENT, images,
  lossOptions: { objective: values.objective, datasetSize: TRAIN, tcEstimator: values.estimator },
  afterBatch: (seen) => seen % every < batch && report(seen),
});
