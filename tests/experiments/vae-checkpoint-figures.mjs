// Figures from a `vae sweep --checkpoints` run, finished or not (against dist/): for each run's
// latest saved model, its latent traversals (the sweep's own grid: row r sweeps one latent from
// −2.5 to 2.5, most variable first, the others at the first held-out sprite's code), and the
// reconstruction-against-MIG chart with one point per checkpoint (epoch), one line per run.
// Pass the sweep's own --seed, --side, --sprites and --held-out so the held-out sprites are the same:
//   node tests/experiments/vae-checkpoint-figures.mjs --out DIR [--seed 0 --side 64 --sprites 20000 --held-out 5000]
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (p) => import(pathToFileURL(join(root, 'dist', p)).href);
const vae = await dist('train/vae/index.js');
const plot = await dist('plot/index.js');
const { svgToPng } = await dist('io/index.js');
const { createRandom } = await dist('random.js');

const { values } = parseArgs({ options: { out: { type: 'string' }, seed: { type: 'string', default: '0' }, side: { type: 'string', default: '64' }, sprites: { type: 'string', default: '20000' }, 'held-out': { type: 'string', default: '5000' } } });
if (!values.out) throw new Error('--out DIR: the folder of a vae sweep --checkpoints run');
const [seed, side, train, heldOut] = [values.seed, values.side, values.sprites, values['held-out']].map(Number);

// betaSweep's data: the first fork of the seed's generator draws train + held-out sprites.
const all = vae.makeSprites(createRandom(seed).fork(), { side, count: train + heldOut });
const held = { count: heldOut, dim: all.dim, values: all.values.subarray(train * all.dim) };

const rows = readFileSync(join(values.out, 'checkpoints.csv'), 'utf8').trim().split('\n').slice(1).map((line) => {
  const [objective, beta, s, epoch, images, cpu, reconstruction, kl, active, mig, migHistogram] = line.split(',');
  return { objective, beta: Number(beta), seed: Number(s), epoch: Number(epoch), images: Number(images), cpu: Number(cpu), reconstruction: Number(reconstruction), mig: Number(mig) };
});
const runs = [...new Set(rows.map((r) => `${r.objective}-beta${r.beta}-seed${r.seed}`))];
const colors = ['#e45756', '#4c78a8', '#54a24b', '#b279a2'];
const chart = plot.connectedScatter(
  runs.map((run, i) => ({
    name: run.replace(/-beta/, ' β ').replace(/-seed/, ' seed '),
    color: colors[i % colors.length],
    points: rows.filter((r) => `${r.objective}-beta${r.beta}-seed${r.seed}` === run).map((r) => ({ x: r.reconstruction, y: r.mig, label: `${r.images / 1000}k` })),
  })),
  { title: `Reconstruction against MIG during training (${side}×${side} sprites, held-out)`, subtitle: 'one point per epoch, labelled by training images seen', xTitle: 'reconstruction (nats per image)', yTitle: 'MIG (Chen et al.)' },
);
const svg = await plot.renderChart(chart);
writeFileSync(join(values.out, 'checkpoints-tradeoff.svg'), svg);
writeFileSync(join(values.out, 'checkpoints-tradeoff.png'), svgToPng(svg, { background: 'white' }));
const written = ['checkpoints-tradeoff.svg/.png'];

for (const file of readdirSync(values.out).filter((f) => /^checkpoint-.*\.json$/.test(f)).sort()) {
  const model = vae.fromJsonModel(JSON.parse(readFileSync(join(values.out, file), 'utf8')), file);
  const run = file.slice('checkpoint-'.length, -'.json'.length);
  const last = rows.filter((r) => `${r.objective}-beta${r.beta}-seed${r.seed}` === run).at(-1);
  const t = vae.latentTraversal(model, vae.encodeMeans(model, held), last?.objective ?? 'beta-tcvae', last?.beta ?? model.config.beta);
  const images = Array.from({ length: t.order.length * t.values.length }, (_, i) => t.images.subarray(i * side * side, (i + 1) * side * side));
  const name = `traversals-${run}-epoch${last?.epoch ?? 'last'}.png`;
  writeFileSync(join(values.out, name), plot.imageGrid(images, side, side, t.values.length, { scale: side === 32 ? 2 : 1 }));
  written.push(`${name} (rows: latents ${t.order.map((j) => j + 1).join(', ')})`);
}
console.log(`wrote ${values.out}/: ${written.join(', ')}`);
