// Done-when of the experiments: on every task a shipped cell learns it at a small size, and a
// cell broken on purpose (tests/experiments/cells: memoryless keeps nothing from step to step;
// input-blind never reads x) fails it with the same budget. Sizes are tiny so the file stays
// within a few seconds; `npm run test:experiments` (GATEFLOW_EXPERIMENTS=full) repeats every
// case with seeds 1 to 5, so a pass is not one lucky seed.
import { describe, expect, it } from 'vitest';
import { loadCell } from '../../src/index.js';
import { addingTask, copyTask, delayTask, fileTask, sineTask, spikesTask, trainOnTask, type Task } from '../../src/experiments/index.js';
import { createRandom } from '../../src/random.js';

const SEEDS = process.env.GATEFLOW_EXPERIMENTS === 'full' ? [1, 2, 3, 4, 5] : [1];
const MEMORYLESS = 'tests/experiments/cells/memoryless.cell';
const INPUT_BLIND = 'tests/experiments/cells/input-blind.cell';

interface Case {
  readonly task: Task;
  readonly cell: string;
  readonly broken: string;
  readonly hidden: number;
  readonly steps: number;
  readonly lr: number;
  readonly batch: number;
}

/** A seeded series the file task reads: two sines, 300 points. */
const series = Float64Array.from({ length: 300 }, (_, i) => Math.sin(i / 2) + 0.5 * Math.sin(i / 1.3));

const CASES: readonly Case[] = [
  { task: delayTask(4), cell: 'rnn', broken: MEMORYLESS, hidden: 8, steps: 60, lr: 0.03, batch: 32 },
  { task: spikesTask(4), cell: 'rnn', broken: MEMORYLESS, hidden: 8, steps: 100, lr: 0.05, batch: 16 },
  { task: sineTask(12), cell: 'rnn', broken: MEMORYLESS, hidden: 8, steps: 60, lr: 0.03, batch: 16 },
  { task: addingTask(6), cell: 'gru', broken: MEMORYLESS, hidden: 8, steps: 120, lr: 0.05, batch: 16 },
  { task: copyTask(1, 1, 2), cell: 'gru', broken: MEMORYLESS, hidden: 8, steps: 100, lr: 0.05, batch: 16 },
  { task: fileTask('two-sines.csv', series, 10), cell: 'rnn', broken: INPUT_BLIND, hidden: 4, steps: 40, lr: 0.05, batch: 16 },
];

function finalError(c: Case, cell: string, seed: number): number {
  const test = c.task.sample(createRandom(99), 64, 'test');
  return trainOnTask(loadCell(cell), c.task, { hidden: c.hidden, steps: c.steps, lr: c.lr, batch: c.batch, seed, test, points: 1 }).finalError;
}

describe(`every task: a shipped cell learns it, a broken cell does not (seeds ${SEEDS.join(', ')}; 64 test sequences)`, { timeout: 600_000 }, () => {
  it.each(CASES.map((c) => [c.task.name, c.cell, c.hidden, c.steps, c.broken.replace(/^.*\/|\.cell$/g, ''), c] as const))(
    '%s: %s (hidden %i, %i steps) reaches the target; %s stays above it',
    (_name, _cell, _hidden, _steps, _broken, c) => {
      for (const seed of SEEDS) {
        const learned = finalError(c, c.cell, seed);
        expect(learned, `${c.cell} on ${c.task.name}, seed ${seed}: ${c.task.errorName}`).toBeLessThanOrEqual(c.task.target);
        const broken = finalError(c, c.broken, seed);
        expect(broken, `${c.broken} on ${c.task.name}, seed ${seed}: ${c.task.errorName}`).toBeGreaterThan(c.task.target);
      }
    },
  );
});
