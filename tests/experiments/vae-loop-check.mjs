// `node tests/experiments/vae-loop-check.mjs TRAIN BATCH IMAGES` (after `npm run build`): can the
// library's continueTraining (src/train/vae/train.ts) replace script-loop.mjs's minibatch loop, which
// vae-mig-diagnose.mjs and vae-conv-start.mjs train with, bit for bit? Trains one
// 32×32 conv beta-TCVAE three ways from the same start and prints a hash of each model:
//   script  — the scripts' loop: one Random feeding both the Fisher–Yates shuffle and the noise,
//             full batches only (the last TRAIN mod BATCH rows are dropped and the rows reshuffled),
//             stopping after IMAGES;
//   shared  — continueTraining fed that one stream (fork() hands back the stream itself, the
//             evaluation-seed draw is answered without consuming it), ceil(IMAGES / TRAIN) epochs;
//   library — continueTraining as the sweep calls it (its own forked shuffle and noise streams).
// shared equals script only when BATCH divides TRAIN and IMAGES is a whole number of epochs
// (e.g. 640 64 1280); the library call never does. Seconds of CPU at these sizes.
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { trainLikeScripts } from './script-loop.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (p) => import(pathToFileURL(join(root, 'dist', p)).href);
const vae = await dist('train/vae/index.js');
const { optimizerFor } = await dist('train/vae/model.js');
const { setOutputPrior } = await dist('train/vae/conv-net.js');
const { continueTraining } = await dist('train/vae/train.js');
const { createRandom } = await dist('random.js');

const [TRAIN, batch, images] = process.argv.slice(2, 5).map(Number);
if (![TRAIN, batch, images].every((v) => Number.isInteger(v) && v > 0)) throw new Error('usage: vae-loop-check.mjs TRAIN BATCH IMAGES (positive integers)');
const LATENT = 10, seed = 1;
const all = vae.makeSprites(createRandom(1), { side: 32, count: TRAIN });
const { dim } = all;
const train = all.values.subarray(0, TRAIN * dim);
const fresh = () => {
  const model = vae.createVae({ input: dim, hidden: 256, latent: LATENT, beta: 4, likelihood: 'bernoulli', arch: 'conv' }, createRandom(seed));
  setOutputPrior(model.params.conv, train.reduce((a, v) => a + v, 0) / train.length);
  return model;
};
const hash = (model) => createHash('sha256').update(JSON.stringify(vae.toJsonModel(model))).digest('hex').slice(0, 16);
const lossOptions = { objective: 'beta-tcvae', datasetSize: TRAIN };
const libraryOptions = { objective: 'beta-tcvae', epochs: Math.ceil(images / TRAIN), batch, lr: 1e-3 };

const script = fresh();
trainLikeScripts({ model: script, optimizer: optimizerFor(script, 1e-3), random: createRandom(seed + 7), train, count: TRAIN, dim, batch, latent: LATENT, lossOptions, images });
const shared = fresh();
const stream = createRandom(seed + 7);
continueTraining(shared, { count: TRAIN, dim, values: train }, undefined, { ...stream, fork: () => stream, int: () => 0 }, libraryOptions);
const library = fresh();
continueTraining(library, { count: TRAIN, dim, values: train }, undefined, createRandom(seed + 7), libraryOptions);
console.log(`train ${TRAIN}, batch ${batch}, ${images} images: script ${hash(script)}, shared ${hash(shared)}, library ${hash(library)}`);
