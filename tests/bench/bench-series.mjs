// The series localise.mjs and robust-score.mjs measure on: nab-dev split into halves A and B by
// file order, held-out seeds 1–12 (the set rules were chosen on) and 101–112 (the set that confirms).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { heldoutSeries } from './heldout-series.mjs';

export const CHOOSE_SEEDS = Array.from({ length: 12 }, (_, k) => k + 1);
export const CONFIRM_SEEDS = Array.from({ length: 12 }, (_, k) => k + 101);

/** Each series as { name, group, load }; `chooseGroup` names the seeds 1–12 group in a bench's tables. */
export async function benchSeries(root, data, chooseGroup) {
  const { readCleanSeries } = await import(join(root, 'dist', 'cli', 'commands', 'rnn-series.js'));
  const { createRandom } = await import(join(root, 'dist', 'random.js'));
  const files = readdirSync(data).filter((f) => f.endsWith('.csv')).sort();
  const list = files.map((f, i) => ({ name: f.replace(/\.csv$/, ''), group: i % 2 === 0 ? 'A' : 'B', load: () => readCleanSeries(join(data, f), { missing: 'interpolate', duplicates: 'mean', quiet: true }) }));
  for (const seed of CHOOSE_SEEDS) list.push({ name: `heldout-${seed}`, group: chooseGroup, load: async () => heldoutSeries(createRandom, seed) });
  for (const seed of CONFIRM_SEEDS) list.push({ name: `heldout-${seed}`, group: 'H2', load: async () => heldoutSeries(createRandom, seed) });
  return list;
}
