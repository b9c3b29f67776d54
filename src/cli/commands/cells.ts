import type { Argv } from 'yargs';
import { readCellHeader } from '../../cell/header.js';
import { cellParseOptions, listCells, readCell } from '../../io/index.js';
import { warn, writeOutput } from '../output.js';
import { InputError } from '../../errors.js';

export function cellsCommand(cli: Argv): Argv {
  return cli.command(
    'cells',
    'List the shipped cells with their titles',
    (y) => y,
    () => {
      const names = listCells();
      const width = Math.max(...names.map((n) => n.length));
      const lines = names.map((name) => `${name.padEnd(width)}  ${readCellHeader(readCell(name).text).title ?? ''}`);
      process.stdout.write(lines.join('\n') + '\n');
    },
  );
}

export function equationsCommand(cli: Argv): Argv {
  return cli.command(
    'equations <cell>',
    "Print a cell's equations",
    (y) =>
      y
        .positional('cell', { type: 'string', demandOption: true, describe: 'a shipped cell name (see `gateflow cells`) or a path to a .cell file' })
        .option('format', { choices: ['text', 'tex', 'markdown', 'json'] as const, default: 'text' as const, describe: 'output format (json: the cell graph IR)' })
        .option('standalone', { type: 'boolean', default: false, describe: 'with --format tex: a complete LaTeX document' })
        .option('output', { alias: 'o', type: 'string', nargs: 1, default: '-', describe: 'output file (- for standard output)' })
        .option('weights-map', { choices: ['pytorch', 'onnx', 'keras'] as const, describe: "instead of the equations: where each parameter lives in that framework's file (W_ir = weight_ih_l0[0:H]), with the convention" }),
    async (args) => {
      const { lintCell, parseCell, toTex, toMarkdown, toText, toJson } = await import('../../cell/index.js');
      const source = readCell(args.cell);
      const cell = parseCell(source.text, cellParseOptions(source));
      lintCell(cell).forEach(warn);
      if (args['weights-map']) {
        if (args.format !== 'text' && args.format !== 'markdown') throw new InputError(`--weights-map prints text or markdown, not ${args.format}`);
        const { weightsMap, formatWeightsMap } = await import('../../trace/index.js');
        writeOutput(args.output, formatWeightsMap(weightsMap(cell.name, args['weights-map']), args.format));
        return;
      }
      const text =
        args.format === 'tex' ? toTex(cell, { standalone: args.standalone })
        : args.format === 'markdown' ? toMarkdown(cell)
        : args.format === 'json' ? toJson(cell)
        : toText(cell);
      writeOutput(args.output, text);
    },
  );
}
