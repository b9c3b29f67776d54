// `node tests/experiments/vae-remeasure.mjs --dir OUT --side 64 --count 1000,5000 [--samples 5000]`
// (after `npm run build`): measures the models a `vae sweep --checkpoints` saved (the latest
// checkpoint-*.json of each run) again on fresh dSprites-like sprites (seed --seed, independent of
// the sweep's): Chen et al.'s MIG with its gap per factor (scale, orientation, x, y) and the
// histogram MIG, for each held-out count, so the measurement's dependence on the number of
// held-out sprites (each x or y value is seen count/32 times) shows. Long: never part of npm test.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (p) => import(pathToFileURL(join(root, 'dist', p)).href);
const vae = await dist('train/vae/index.js');
const { encodePosteriors } = await dist('train/vae/train.js');
const { createRandom } = await dist('random.js');

const { values } = parseArgs({ options: { dir: { type: 'string' }, side: { type: 'string', default: '64' }, count: { type: 'string', default: '1000,5000' }, samples: { type: 'string', default: '5000' }, seed: { type: 'string', default: '99' } } });
const counts = values.count.split(',').map(Number);
const largest = Math.max(...counts);
const sprites = vae.makeSprites(createRandom(Number(values.seed)), { side: Number(values.side), count: largest });
const factorCount = sprites.factorNames.length;
const files = readdirSync(values.dir).filter((f) => /^checkpoint-.*\.json$/.test(f)).sort();
console.log('model  held-out  MIG (Chen)  gaps (scale orient. x y)  MIG (histogram)');
for (const file of files) {
  const model = vae.fromJsonModel(JSON.parse(readFileSync(join(values.dir, file), 'utf8')), file);
  const { latent } = model.config;
  for (const count of counts) {
    const held = { count, dim: sprites.dim, values: sprites.values.subarray(0, count * sprites.dim) };
    const factors = sprites.factors.subarray(0, count * factorCount);
    const posteriors = encodePosteriors(model, held);
    const chen = vae.migSampled(posteriors, factors, factorCount, createRandom(5), { factorsUsed: [1, 2, 3, 4], samples: Number(values.samples) });
    const histogram = vae.mig(posteriors.mu, latent, factors, factorCount).mig;
    console.log(`${file}  ${count}  ${chen.mig.toFixed(4)}  ${chen.perFactor.map((f) => f.gap.toFixed(3)).join(' ')}  ${histogram.toFixed(4)}`);
  }
}
