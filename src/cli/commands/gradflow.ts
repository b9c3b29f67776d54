/**
 * `gateflow gradflow`: how ‖∂h_T/∂h_t‖ shrinks or grows through time, one line per cell,
 * as a CSV, a log-scale chart (SVG and PNG) and a table in the terminal.
 */
import { join } from 'node:path';
import type { Argv } from 'yargs';
import type { Command } from './command.js';

export function gradflowCommand(cli: Argv): Argv {
  return cli.command(
    'gradflow [cells..]',
    'Measure the norm of ∂S_T/∂S_t for a state S through time (vanishing and exploding gradients) and chart it',
    gradflowOptions,
    async (args) => {
      const { loadCell } = await import('../../load-cell.js');
      const { gradientFlow, gradientFlowCsv, gradientFlowTable } = await import('../../engine/gradflow.js');
      const { lineChart, renderChart } = await import('../../plot/index.js');
      const { svgToPng, writeFileAtomic } = await import('../../io/index.js');
      const { InputError } = await import('../../errors.js');
      const inits: (number | undefined)[] = args.init === undefined ? [undefined] : String(args.init).split(',').map((v) => {
        const value = Number(v.trim());
        if (v.trim() === '' || !Number.isFinite(value)) throw new InputError(`--init takes numbers separated by commas, found '${args.init}'`);
        return value;
      });
      const cells = (args.cells as string[]).map((name) => loadCell(name));
      const measured = inits.flatMap((init) =>
        cells.map((cell) =>
          gradientFlow(cell, {
            steps: args.steps, hidden: args.hidden, input: args.input, seed: args.seed, samples: args.batch, init, state: args.state,
            label: inits.length > 1 ? `${cell.name}, init ${init}` : cell.name,
          }),
        ),
      );
      // One symbol when every cell differentiates the same state; otherwise S, and each label names its state.
      const shared = measured.every((f) => f.state === measured[0]!.state) ? measured[0]!.state : undefined;
      const flows = shared ? measured : measured.map((f) => ({ ...f, label: `${f.label} (${f.state})` }));
      const symbol = shared ?? 'S';
      const derivative = `∂${symbol}_T/∂${symbol}_t`;
      const norm = args.norm;
      const initText = args.init === undefined ? 'PyTorch init' : `recurrent init ${inits.join(' and ')}`;
      const spec = lineChart({
        series: flows.map((f) => ({ name: f.label, x: Array.from({ length: f.steps + 1 }, (_, t) => t), y: f[norm] })),
        logY: true,
        title: `Gradient flow through time: T = ${args.steps}, H = ${args.hidden}, ${initText}, mean of ${args.batch} sequences`,
        xTitle: 't',
        yTitle: `${norm} norm of ${derivative}`,
        legendTitle: 'cell',
      });
      const svg = await renderChart(spec);
      const out = args.output;
      writeFileAtomic(join(out, 'gradflow.csv'), gradientFlowCsv(flows));
      writeFileAtomic(join(out, 'gradflow.svg'), svg);
      writeFileAtomic(join(out, 'gradflow.png'), svgToPng(svg));
      process.stdout.write(`${norm} norm of ${derivative} (${initText}, mean of ${args.batch} random sequences)\n`);
      process.stdout.write(gradientFlowTable(flows, norm));
      process.stdout.write(`wrote ${join(out, 'gradflow.csv')}, ${join(out, 'gradflow.svg')}, ${join(out, 'gradflow.png')}\n`);
    },
  );
}

function gradflowOptions(y: Argv) {
  return y
    .positional('cells', { type: 'string', array: true, default: ['rnn', 'gru', 'lstm'], describe: 'shipped cell names or .cell paths' })
    .option('steps', { type: 'number', default: 50, describe: 'sequence length T' })
    .option('hidden', { type: 'number', default: 32, describe: 'hidden size H' })
    .option('input', { type: 'number', describe: 'input size (default: the hidden size); inputs are N(0, 1)' })
    .option('seed', { type: 'number', default: 1, describe: 'seed of the weights and the inputs' })
    .option('init', { type: 'string', describe: 'recurrent matrices ~ N(0, init²/H), spectral radius ≈ init; several values (0.5,4) draw both regimes in one chart; default PyTorch init' })
    .option('batch', { type: 'number', default: 16, describe: 'random input sequences the norms are averaged over' })
    .option('state', { type: 'string', describe: 'the state S whose ‖∂S_T/∂S_t‖ is measured (default: the output if it is a state, else h, else the last state)' })
    .option('norm', { choices: ['spectral', 'frobenius'] as const, default: 'spectral' as const, describe: 'the norm shown in the chart and table (the CSV has both)' })
    .option('output', { alias: 'o', type: 'string', default: '.', describe: 'output folder for gradflow.csv, gradflow.svg and gradflow.png' })
    .example('$0 gradflow rnn gru lstm --steps 50 --hidden 32 --seed 1', 'the default init')
    .example('$0 gradflow rnn gru lstm --init 4 -o exploding', 'recurrent weights scaled up: gradients explode')
    .example('$0 gradflow rnn lstm --init 0.5,4', 'vanishing and exploding in one chart');
}

/** The `gradflow` commands (owned by the engine stage). */
export const gradflowCommands: readonly Command[] = [gradflowCommand];
