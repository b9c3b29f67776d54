// `node tests/experiments/vae-conv-start.mjs [--side 32] [--init glorot-bias] [--images 12000] [--every 2000]`
// (after `npm run build`): how the --arch conv VAE's start depends on its initialisation. One
// beta-TCVAE (β 4, batch 64, Adam 1e-3) on 10,000 dSprites-like sprites, measured on 500 held-out
// ones every `every` images: reconstruction, KL, active dimensions, Chen et al.'s MIG with its gap
// per factor (scale, orientation, x, y), the histogram MIG, and the KL of each latent (largest
// first). --init: pytorch (U(±1/√fan_in) weights and biases), glorot (the model's own: Glorot
// uniform, zero biases), and either with -bias (the decoder's last bias at the mean pixel's logit,
// as vae sweep starts it). --png FILE writes 8 held-out sprites over their reconstructions, and
// FILE-trav.png the latent traversals. Long (minutes): never part of npm test.
// It trains with script-loop.mjs's minibatch loop rather than continueTraining's: it drops the last TRAIN mod batch
// rows of each pass and stops mid-pass, from one stream for shuffle and noise, so the library loop
// would train on another order and change the README figures made with it (vae-loop-check.mjs).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { heldOutCells, trainLikeScripts } from './script-loop.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (p) => import(pathToFileURL(join(root, 'dist', p)).href);
const vae = await dist('train/vae/index.js');
const { optimizerFor } = await dist('train/vae/model.js');
const { setOutputPrior } = await dist('train/vae/conv-net.js');
const { encodeMeans, reconstruct } = await dist('train/vae/train.js');
const plot = await dist('plot/index.js');
const { createRandom } = await dist('random.js');

const options = { side: '32', init: 'glorot-bias', beta: '4', images: '12000', every: '2000', batch: '64', seed: '2', png: undefined };
const { values } = parseArgs({ options: Object.fromEntries(Object.keys(options).map((k) => [k, { type: 'string', default: options[k] }])) });
const [side, beta, images, every, batch, seed] = ['side', 'beta', 'images', 'every', 'batch', 'seed'].map((k) => Number(values[k]));
const TRAIN = 10000, HELD = 500, LATENT = 10;
const all = vae.makeSprites(createRandom(1), { side, count: TRAIN + HELD });
const { dim } = all;
const factors = all.factorNames.length;
const train = all.values.subarray(0, TRAIN * dim);
const held = { count: HELD, dim, values: all.values.subarray(TRAIN * dim) };
const heldFactors = all.factors.subarray(TRAIN * factors);
const model = vae.createVae({ input: dim, hidden: 256, latent: LATENT, beta, likelihood: 'bernoulli', arch: 'conv' }, createRandom(seed));
const { conv, ...dense } = model.params;
if (values.init.startsWith('pytorch')) {
  // nn.Linear, nn.Conv2d and nn.ConvTranspose2d's defaults: U(±1/√fan_in), fan_in = k²·out for a transposed conv.
  const random = createRandom(seed + 100);
  const uniform = (p, fanIn) => random.fillUniform(p.value.data, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn));
  for (const name of ['enc', 'mu', 'logvar', 'dec', 'out']) for (const part of ['W', 'B']) uniform(dense[`${name}${part}`], dense[`${name}W`].value.shape[0]);
  for (const layer of conv.encoder) for (const p of [layer.W, layer.B]) uniform(p, 16 * layer.W.value.shape[2]);
  for (const layer of conv.decoder) for (const p of [layer.W, layer.B]) uniform(p, 16 * layer.W.value.shape[3]);
} else if (!values.init.startsWith('glorot')) throw new Error(`--init: pytorch, pytorch-bias, glorot or glorot-bias, got ${values.init}`);
if (values.init.endsWith('-bias')) setOutputPrior(conv, train.reduce((a, v) => a + v, 0) / train.length);

const optimizer = optimizerFor(model, 1e-3);
const random = createRandom(seed + 7);
const cpuStart = process.cpuUsage();
console.log(`${side}×${side} conv, init ${values.init}, beta-TCVAE β ${beta}, batch ${batch}, Adam 1e-3; ${TRAIN} training and ${HELD} held-out sprites`);
console.log('images  CPU s  recon     KL  active    MIG  gaps (scale orient. x y)   MIG hist  KL per latent');
const report = (seen) => {
  const { cells, klPerLatent } = heldOutCells(model, { held, heldFactors, factors, latent: LATENT, samples: 1000 });
  const cpu = process.cpuUsage(cpuStart);
  console.log(`${[seen, ((cpu.user + cpu.system) / 1e6).toFixed(0), ...cells].map(String).join('  ')}  ${klPerLatent}`);
};
trainLikeScripts({
  model, optimizer, random, train, count: TRAIN, dim, batch, latent: LATENT, images,
  lossOptions: { objective: 'beta-tcvae', datasetSize: TRAIN },
  afterBatch: (seen) => seen % every < batch && report(seen),
});
if (values.png) {
  const n = 8;
  const shown = { count: n, dim, values: held.values.subarray(0, n * dim) };
  const rebuilt = reconstruct(model, shown);
  const rows = [shown.values, rebuilt].flatMap((v) => Array.from({ length: n }, (_, i) => v.subarray(i * dim, (i + 1) * dim)));
  writeFileSync(values.png, plot.imageGrid(rows, side, side, n, { scale: side === 32 ? 3 : 2 }));
  const t = vae.latentTraversal(model, encodeMeans(model, held), 'beta-tcvae', beta);
  const grid = Array.from({ length: t.order.length * t.values.length }, (_, i) => t.images.subarray(i * dim, (i + 1) * dim));
  writeFileSync(values.png.replace(/\.png$/, '-trav.png'), plot.imageGrid(grid, side, side, t.values.length, { scale: side === 32 ? 3 : 2 }));
}
