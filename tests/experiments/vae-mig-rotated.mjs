// `node tests/experiments/vae-mig-rotated.mjs --out DIR [--seed 0 --side 64 --sprites 20000 --held-out 1000]`
// (after `npm run build`): how much of a trained model's MIG is lost to a rotation of its code.
// For each checkpoint-*.json of a `vae sweep --checkpoints` folder: Chen et al.'s MIG with its gap
// per factor on the held-out sprites as the model codes them, then the same after rotating each
// pair of active latents by 0°, 5°, … 85° (the rotated posteriors' marginals are exact: mean R μ,
// variance Σ R² σ², and MIG only uses each latent's marginal), keeping the best (pairs among the
// `--top` most variable active latents; `--match TEXT` keeps only the files whose name holds it). If the best
// rotation lifts MIG far above the model's own, the model holds the factors in a plane but off
// the axes, which only the total-correlation term (β) can turn; if not, the factors themselves
// are not coded apart. About 10 CPU seconds per model; never part of npm test.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (p) => import(pathToFileURL(join(root, 'dist', p)).href);
const vae = await dist('train/vae/index.js');
const { encodePosteriors } = await dist('train/vae/train.js');
const { createRandom } = await dist('random.js');

const { values } = parseArgs({ options: { out: { type: 'string' }, seed: { type: 'string', default: '0' }, side: { type: 'string', default: '64' }, sprites: { type: 'string', default: '20000' }, 'held-out': { type: 'string', default: '1000' }, samples: { type: 'string', default: '1000' }, top: { type: 'string', default: '4' }, match: { type: 'string', default: '' } } });
if (!values.out) throw new Error('--out DIR: the folder of a vae sweep --checkpoints run');
const [seed, side, train, heldOut, samples] = [values.seed, values.side, values.sprites, values['held-out'], values.samples].map(Number);

// betaSweep's data: the first fork of the seed's generator draws train + held-out sprites.
const all = vae.makeSprites(createRandom(seed).fork(), { side, count: train + heldOut });
const factorCount = all.factorNames.length;
const held = { count: heldOut, dim: all.dim, values: all.values.subarray(train * all.dim) };
const heldFactors = all.factors.subarray(train * factorCount);
const measure = (posteriors) => vae.migSampled(posteriors, heldFactors, factorCount, createRandom(5), { factorsUsed: [1, 2, 3, 4], samples });

/** The posteriors with latents a and b rotated by t: exact per-latent marginals. */
function rotated({ latent, mu, logvar }, a, b, t) {
  const [c, s] = [Math.cos(t), Math.sin(t)];
  const m = Float64Array.from(mu), lv = Float64Array.from(logvar);
  for (let i = 0; i < mu.length / latent; i++) {
    const [ma, mb, va, vb] = [mu[i * latent + a], mu[i * latent + b], Math.exp(logvar[i * latent + a]), Math.exp(logvar[i * latent + b])];
    m[i * latent + a] = c * ma - s * mb;
    m[i * latent + b] = s * ma + c * mb;
    lv[i * latent + a] = Math.log(c * c * va + s * s * vb);
    lv[i * latent + b] = Math.log(s * s * va + c * c * vb);
  }
  return { latent, mu: m, logvar: lv };
}

const format = (r) => `${r.mig.toFixed(3)} (gaps ${r.perFactor.map((f) => f.gap.toFixed(2)).join(' ')})`;
console.log('model  active  MIG as coded (gaps scale orient. x y)  best rotation: pair, angle, MIG (gaps)');
for (const file of readdirSync(values.out).filter((f) => /^checkpoint-.*\.json$/.test(f) && f.includes(values.match)).sort()) {
  const model = vae.fromJsonModel(JSON.parse(readFileSync(join(values.out, file), 'utf8')), file);
  const posteriors = encodePosteriors(model, held);
  const { latent } = posteriors;
  const means = posteriors.mu;
  const variances = vae.latentVariances(means, latent);
  // The pairs come from the `--top` most variable active latents (a β-1 model has all ten active).
  const active = Array.from({ length: latent }, (_, j) => j).filter((j) => variances[j] > 0.01).sort((a, b) => variances[b] - variances[a]);
  const searched = active.slice(0, Number(values.top));
  const own = measure(posteriors);
  let best = { result: own, pair: '-', degrees: 0 };
  for (let p = 0; p < searched.length; p++) {
    for (let q = p + 1; q < searched.length; q++) {
      for (let degrees = 5; degrees < 90; degrees += 5) {
        const result = measure(rotated(posteriors, searched[p], searched[q], (degrees * Math.PI) / 180));
        if (result.mig > best.result.mig) best = { result, pair: `${searched[p] + 1}-${searched[q] + 1}`, degrees };
      }
    }
  }
  console.log(`${file}  ${active.length}  ${format(own)}  ${best.pair} ${best.degrees}° ${format(best.result)}`);
  // What each active latent knows, as coded: I(z_j; scale, orientation, x, y) in nats (H: 1.79, 3.69, 3.47, 3.47 on the full grids).
  console.log(`  I(z_j; scale orient. x y), nats: ${active.map((j) => `z${j + 1} ${own.mutualInfo[j].map((v) => v.toFixed(2)).join(' ')}`).join(' | ')}`);
}
