/**
 * `vae gradvar`: the score-function against the reparameterized gradient estimator's variance,
 * measured by the vae stage and drawn against the closed forms.
 */
import type { Argv } from 'yargs';
import { InputError } from '../../errors.js';
import { parseNumberList, positiveInteger } from '../options.js';
import { writeChart } from '../output.js';
import { commonVaeOptions } from './vae-common.js';

export function gradvarCommand(cli: Argv): Argv {
  return cli.command(
    'gradvar',
    'Variance of the score-function (REINFORCE) and reparameterized gradient estimators for a Gaussian q(z) and f(z) = z², measured and in closed form',
    (y) =>
      commonVaeOptions(y)
        .option('mu', { type: 'number', default: 1 })
        .option('sigma', { type: 'number', default: 1 })
        .option('samples', { type: 'string', default: '1,2,4,8,16,32,64,128,256,512,1024', describe: 'samples per estimate' })
        .option('repeats', { type: 'number', default: 2000, describe: 'estimates per sample count (to measure the variance)' })
        .option('out', { type: 'string', default: 'out/vae-gradvar', describe: 'output folder' }),
    async (args) => {
      const vae = await import('../../train/vae/index.js');
      const plot = await import('../../plot/index.js');
      const { writeFileAtomic } = await import('../../io/index.js');
      const { createRandom } = await import('../../random.js');
      if (!(args.sigma > 0)) throw new InputError(`--sigma must be positive, got ${args.sigma}`);
      const sampleCounts = parseNumberList(args.samples, 'samples').map((s) => positiveInteger(s, 'samples'));
      const result = vae.gradvar(createRandom(args.seed), { mu: args.mu, sigma: args.sigma, sampleCounts, repeats: args.repeats });
      const out = args.out;
      writeFileAtomic(`${out}/gradvar.csv`, vae.gradvarCsv(result));
      const x = result.rows.map((r) => r.samples);
      const chart = plot.logLineChart(
        [
          { name: 'score function (REINFORCE)', x, y: result.rows.map((r) => r.scoreFunctionVariance), color: '#e45756' },
          { name: 'score function (REINFORCE)', x, y: result.rows.map((r) => r.scoreFunctionExact), color: '#e45756', dashed: true },
          { name: 'reparameterized', x, y: result.rows.map((r) => r.reparameterizedVariance), color: '#4c78a8' },
          { name: 'reparameterized', x, y: result.rows.map((r) => r.reparameterizedExact), color: '#4c78a8', dashed: true },
        ],
        {
          title: `Variance of d/dμ E[z²] estimates, q = N(${args.mu}, ${args.sigma}²)`,
          measured: 'measured',
          reference: 'closed form',
          xTitle: 'samples per estimate',
          yTitle: 'variance of the d/dμ estimate',
          logY: true,
        },
      );
      await writeChart(chart, `${out}/gradvar`);
      process.stdout.write(vae.gradvarTable(result) + `wrote ${out}/: gradvar.csv, gradvar.svg/.png\n`);
    },
  );
}
