// `npm run experiment:vae-curve -- [side] [arch] [beta] [epochs] [sprites] [batch]`: one VAE on
// dSprites-like sprites, measured on held-out sprites after every epoch (reconstruction, KL,
// active dimensions, both MIGs), to see how much training a setting needs before β shows in MIG.
// Long (minutes to hours): never part of npm test. Defaults: 32 conv 4 12 5000 32.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (p) => import(pathToFileURL(join(root, 'dist', p)).href);
const vae = await dist('train/vae/index.js');
const { continueTraining, encodeMeans, encodePosteriors, evaluate } = await dist('train/vae/train.js');
const { createRandom } = await dist('random.js');
const { setOutputPrior } = await dist('train/vae/conv-net.js');

const [side, arch, beta, epochs, sprites, batch] = [32, 'conv', 4, 12, 5000, 32].map((d, i) => {
  const given = process.argv[2 + i];
  return given === undefined ? d : typeof d === 'number' ? Number(given) : given;
});
const HELD_OUT = 1000;
const all = vae.makeSprites(createRandom(1), { side, count: sprites + HELD_OUT });
const factorCount = all.factorNames.length;
const train = { count: sprites, dim: all.dim, values: all.values.subarray(0, sprites * all.dim) };
const held = { count: HELD_OUT, dim: all.dim, values: all.values.subarray(sprites * all.dim) };
const heldFactors = all.factors.subarray(sprites * factorCount);
const model = vae.createVae({ input: all.dim, hidden: 256, latent: 10, beta, likelihood: 'bernoulli', ...(arch === 'conv' ? { arch } : {}) }, createRandom(2));
// As vae sweep starts a conv model: the decoder's last bias at the mean pixel's logit.
if (model.params.conv) setOutputPrior(model.params.conv, train.values.reduce((a, v) => a + v, 0) / train.values.length);
console.log(`${side}×${side} ${arch}, beta-vae β ${beta}, ${sprites} training sprites, batch ${batch}, Adam 1e-3; held-out ${HELD_OUT}`);
console.log('epoch  images seen  recon  KL     active  MIG (Chen)  MIG hist  seconds');
const started = Date.now();
continueTraining(model, train, undefined, createRandom(3), {
  epochs,
  batch,
  lr: 1e-3,
  onEpoch: (row) => {
    const tested = evaluate(model, held, createRandom(4));
    const means = encodeMeans(model, held);
    const chen = vae.migSampled(encodePosteriors(model, held), heldFactors, factorCount, createRandom(5), { factorsUsed: [1, 2, 3, 4], samples: 1000 }).mig;
    const histogram = vae.mig(means, 10, heldFactors, factorCount).mig;
    console.log(
      `${String(row.epoch).padStart(5)}  ${String(row.epoch * sprites).padStart(11)}  ${tested.reconstruction.toFixed(1).padStart(5)}  ${tested.kl.toFixed(2).padStart(5)}  ${String(vae.activeDimensions(means, 10)).padStart(6)}  ${chen.toFixed(3).padStart(10)}  ${histogram.toFixed(3).padStart(8)}  ${((Date.now() - started) / 1000).toFixed(0).padStart(7)}`,
    );
  },
});
