/**
 * `gateflow explore`: trace a cell on an input sequence and write the explorer page, one
 * standalone HTML file where the unrolled diagram plays the trace step by step. Traces
 * with the same options as `trace` (cli/commands/trace.ts); the page comes from the
 * explore stage; the file is written atomically.
 */
import type { Argv } from 'yargs';
import type { Command } from './command.js';
import { writeOutput } from '../output.js';
import { explorerFor, traceFromArgs, traceInputOptions } from './trace.js';

export function exploreCommand(cli: Argv): Argv {
  return cli.command(
    'explore [cell]',
    'Write one HTML page where the unrolled diagram plays a trace: step window, colour strips, equations, small multiples, gradients',
    (y) =>
      traceInputOptions(y)
        .positional('cell', { type: 'string', describe: 'a shipped cell (see `gateflow cells`) or a .cell path; optional with an ONNX model, which names its cell' })
        .option('output', { alias: 'o', type: 'string', nargs: 1, demandOption: true, describe: 'the HTML file to write (- for standard output)' })
        .option('window', { type: 'number', default: 2, describe: 'steps drawn side by side, 1 to 3 (t−1 and t by default)' })
        .option('detail', { choices: ['gates', 'ops'] as const, default: 'gates' as const, describe: 'one box per gate, or every op' })
        .option('theme', { type: 'string', default: 'light', describe: 'light, dark, print, colorblind, or a path to a .json theme' })
        .option('grad-output', { type: 'string', nargs: 1, describe: 'the statement whose unit at the last step the gradient view differentiates (default h, else the last output)' })
        .option('grad-unit', { type: 'number', default: 0, describe: 'which unit of --grad-output' })
        .option('gradient', { type: 'boolean', default: true, describe: 'compute the gradient view (--no-gradient leaves it out)' })
        .example("$0 explore gru -i '[[1,0],[0,1],[0.5,-0.5]]' --hidden 3 -o gru.html", 'a GRU trace on its diagram')
        .example('$0 explore lstm -i seq.json --weights lstm.safetensors --window 3 -o lstm.html', 'a PyTorch nn.LSTM, three steps at a time'),
    async (args) => {
      const { cell, result } = await traceFromArgs(args);
      writeOutput(args.output, await explorerFor(cell, result, args));
    },
  );
}

/** The `explore` command (owned by the explore stage). */
export const exploreCommands: readonly Command[] = [exploreCommand];
