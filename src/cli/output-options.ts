/**
 * Output options, checked for every command before its handler runs: a file whose extension
 * picks the format must have a known one, at most one output may be standard output, and every
 * output location must be writable, so a long run (training) cannot fail only at its end.
 */
import type { Arguments } from 'yargs';
import { extname } from 'node:path';
import { InputError } from '../errors.js';
import { checkOutputLocation } from '../io/index.js';
import { commandPath } from './options.js';
import { isStdout } from './output.js';

/** Options that name an output; '-' is standard output for a file. */
const OUTPUT_OPTIONS = ['output', 'out', 'save-model', 'save-weights', 'json', 'csv', 'html', 'annotate'] as const;

/** Outputs whose extension decides the format ('command option' → formats). */
const FORMATS_BY_EXTENSION: Readonly<Record<string, readonly string[]>> = {
  'diagram output': ['svg', 'png', 'pdf', 'tex', 'pptx'],
  'trace annotate': ['svg', 'png', 'pdf'],
  'trace save-weights': ['json', 'safetensors'],
  'rnn detect save-model': ['json'],
};

/** A folder or a file, by command: `out` is a folder except for `rnn synth --kind KIND` (one CSV). */
function kindOf(command: string, option: string, argv: Arguments): 'file' | 'folder' {
  if (command === 'rnn synth') return argv.kind === 'all' ? 'folder' : 'file';
  if (option === 'out' || ['gradflow', 'compare', 'memory'].includes(command)) return 'folder';
  if (command === 'diagram' && argv.walkthrough === true) return 'folder';
  return 'file';
}

function checkExtension(command: string, option: string, path: string, argv: Arguments): void {
  // --debug-stage prints JSON, whatever -o is called; --walkthrough writes into a folder.
  if (command === 'diagram' && (argv['debug-stage'] !== undefined || argv.walkthrough === true)) return;
  const formats = FORMATS_BY_EXTENSION[`${command} ${option}`];
  const extension = extname(path).slice(1).toLowerCase();
  if (!formats || extension === '' || formats.includes(extension)) return;
  throw new InputError(`option --${option}: cannot write '.${extension}' files (formats: ${formats.map((f) => `.${f}`).join(', ')})`);
}

export function checkOutputOptions(argv: Arguments): void {
  if (argv.help) return;
  const command = commandPath(argv);
  const given = OUTPUT_OPTIONS.filter((option) => typeof argv[option] === 'string');
  const toStdout = given.filter((option) => isStdout(argv[option] as string) && kindOf(command, option, argv) === 'file');
  if (toStdout.length > 1) {
    const names = toStdout.map((o) => `--${o}`);
    throw new InputError(`${names.join(' and ')} ${names.length === 2 ? 'both' : 'all'} write to standard output (-); give ${names.length === 2 ? 'one of them' : 'all but one'} a file`);
  }
  for (const option of given) {
    const path = argv[option] as string;
    const kind = kindOf(command, option, argv);
    if (isStdout(path) && kind === 'file') continue;
    if (path === '') throw new InputError(`option --${option} needs a file or folder name`);
    checkExtension(command, option, path, argv);
    checkOutputLocation(path, kind);
  }
}
