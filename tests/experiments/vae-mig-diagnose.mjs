// `node tests/experiments/vae-mig-diagnose.mjs [--side 32] [--arch conv] [--objective beta-tcvae] [--beta 4] ...`
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
import { trainLikeScripts } from './script-loop.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (p) => import(pathToFileURL(join(root, 'dist', p)).href);
const vae = await dist('train/vae/index.js');
const { optimizerFor } = await dist('train/vae/model.js');
const { setOutputPrior } = await dist('train/vae/conv-net.js');
const { encodeMeans, encodePosteriors, evaluate } = await dist('train/vae/train.js');
const { createRandom } = await dist('random.js');

const defaults = { side: '32', arch: 'conv', hidden: '256', objective: 'beta-tcvae', beta: '4', images: '15000', every: '5000', batch: '64', lr: '1e-3', seed: '1', train: '10000', held: '1000', latent: '10', samples: '1000' };
const { values } = parseArgs({ options: Object.fromEntries(Object.keys(defaults).map((k) => [k, { type: 'string', default: defaults[k] }])) });
const n = (k) => Number(values[k]);
const [side, beta, images, every, batch, lr, seed, TRAIN, HELD, LATENT] = ['side', 'beta', 'images', 'every', 'batch', 'lr', 'seed', 'train', 'held', 'latent'].map(n);
const all = vae.makeSprites(createRandom(1), { side, count: TRAIN + HELD });
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
  const tested = evaluate(model, held, createRandom(4));
  const posteriors = encodePosteriors(model, held);
  const klPerLatent = new Float64Array(LATENT);
  posteriors.mu.forEach((mu, i) => {
    const lv = posteriors.logvar[i];
    klPerLatent[i % LATENT] += (0.5 * (mu * mu + Math.exp(lv) - lv - 1)) / HELD;
  });
  const means = encodeMeans(model, held);
  const chen = vae.migSampled(posteriors, heldFactors, factors, createRandom(5), { factorsUsed: [1, 2, 3, 4], samples: n('samples') });
  const cpu = process.cpuUsage(cpuStart);
  const cells = [seen, ((cpu.user + cpu.system) / 1e6).toFixed(0), ((Date.now() - t0) / 1000).toFixed(0), tested.reconstruction.toFixed(1), tested.kl.toFixed(2), vae.activeDimensions(means, LATENT), chen.mig.toFixed(3), chen.perFactor.map((f) => f.gap.toFixed(2)).join(' '), vae.mig(means, LATENT, heldFactors, factors).mig.toFixed(3)];
  console.log(`${cells.map(String).join('  ')}  ${Array.from(klPerLatent).sort((a, b) => b - a).map((v) => v.toFixed(1)).join(' ')}`);
};
trainLikeScripts({
  model, optimizer, random, train, count: TRAIN, dim, batch, latent: LATENT, images,
  lossOptions: { objective: values.objective, datasetSize: TRAIN },
  afterBatch: (seen) => seen % every < batch && report(seen),
});
