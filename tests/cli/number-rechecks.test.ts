// The handlers of rnn detect, rnn benchmark, rnn synth and the vae commands no longer check their
// size options with positiveInteger: the option rules (cli/number-rules.ts) refuse every value it
// refused (zero, negatives, fractions, words) before the handler runs, with the range and the text
// typed. Each command below, run as the bin runs it, must refuse each such value with that message.
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';

/** command (with what it requires besides the option) → option → the range its message states. */
const SIZES: Record<string, Record<string, string>> = {
  'rnn detect --series s.csv': { hidden: '1 to 4096', window: '1 to 10000', horizon: '1 to 1000', epochs: '1 to 10000', batch: '1 to 4096', smooth: '1 to 10000', ensemble: '1 to 100' },
  'rnn benchmark': { hidden: '1 to 4096', window: '1 to 10000', horizon: '1 to 1000', epochs: '1 to 10000', smooth: '1 to 10000' },
  'rnn synth': { length: '1 to 1000000', count: '1 to 1000' },
  'vae train': { latent: '1 to 1024', hidden: '1 to 4096', epochs: '1 to 10000', batch: '1 to 4096' },
  'vae sweep': { latent: '1 to 1024', hidden: '1 to 4096', epochs: '1 to 10000', batch: '1 to 4096', sprites: '1 to 1000000', 'held-out': '1 to 1000000', seeds: '1 to 100', 'mig-samples': '1 to 1000000' },
  'vae imbalance': { latent: '1 to 1024', hidden: '1 to 4096', epochs: '1 to 10000', total: '1 to 100000', k: '1 to 1000', seeds: '1 to 100' },
  'vae gradvar': { repeats: '2 to 1000000' },
};
/** What positiveInteger refused: zero, a negative, a fraction, a word (and, for --repeats, 1). */
const REFUSED = ['0', '-3', '2.5', 'ten'];

async function run(args: string[]): Promise<{ status: number; stderr: string }> {
  let stderr = '';
  const status = await runCli(args, { stderr: (text) => (stderr += text) });
  return { status, stderr };
}

describe('size options the handlers used to re-check', () => {
  it.each(Object.keys(SIZES))('%s: each refused value ends in the option rule\'s one-line message, exit 2', async (command) => {
    for (const [option, range] of Object.entries(SIZES[command]!)) {
      for (const value of [...REFUSED, ...(option === 'repeats' ? ['1'] : [])]) {
        const result = await run([...command.split(' '), `--${option}`, value]);
        expect([option, value, result.status, result.stderr.trim()]).toEqual([option, value, 2, `gateflow: option --${option}: expected an integer from ${range}, found '${value}'`]);
      }
    }
  });
});
