// The suite's order, for `npm test` (tests/run.mjs passes this file). Two workers take files
// from one queue, so a long file that starts last keeps one core busy alone at the end: on a
// fresh clone vitest has no durations yet and starts the largest files first, which put the
// minute-long fuzz and package files at the very end. The longest files, as measured (the
// JSON report's per-file durations), go first; once vitest has its own durations of every
// file (node_modules/.vite/vitest), it orders by them instead. The order changes no result.
import { relative } from 'node:path';
import { BaseSequencer } from 'vitest/node';

/** Longest first, by their durations in a whole `npm test` (the rest follow in vitest's order). */
const LONGEST_FIRST = [
  'diagram/faithful.test.ts',
  'cell/long-expressions.test.ts',
  'fuzz/fuzz.test.ts',
  'cell/corpus.test.ts',
  'diagram/random-cells.test.ts',
  'train/anomaly/cli.test.ts',
  'diagram/slides.test.ts',
  'cli/snapshot.test.ts',
  'gallery.test.ts',
  'diagram/tikz.test.ts',
  'package.test.ts',
  'trace/cli.test.ts',
  'cli/bad-input.test.ts',
  'diagram/walkthrough.test.ts',
  'explore/cells.test.ts',
  'train/vae/cli.test.ts',
  'engine/gradflow-state.test.ts',
  'engine/gradflow-cli.test.ts',
  'diagram/geometry.test.ts',
];

class LongestFirst extends BaseSequencer {
  async sort(files) {
    const sorted = await super.sort(files);
    const timed = sorted.every((f) => this.ctx.cache.getFileTestResults(`${f.project.name}:${relative(this.ctx.config.root, f.moduleId)}`));
    if (timed) return sorted;
    const rank = (f) => {
      const i = LONGEST_FIRST.findIndex((name) => f.moduleId.endsWith(`/tests/${name}`));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

export default { test: { sequence: { sequencer: LongestFirst } } };
