import { cellsCommand, equationsCommand } from './cells.js';
import { checkCommand } from './check.js';
import { compareCommands } from './compare.js';
import { convertCommand } from './convert.js';
import type { Command } from './command.js';
import { diagramCommands } from './diagram.js';
import { exploreCommands } from './explore.js';
import { galleryCommand } from './gallery.js';
import { gradflowCommands } from './gradflow.js';
import { memoryCommands } from './memory.js';
import { rnnCommands } from './rnn.js';
import { traceCommands } from './trace.js';
import { vaeCommands } from './vae.js';

export type { Command };

/** Every command, in the order --help lists them. */
export const commands: readonly Command[] = [
  cellsCommand,
  equationsCommand,
  ...diagramCommands,
  ...traceCommands,
  checkCommand,
  convertCommand,
  ...exploreCommands,
  ...gradflowCommands,
  ...compareCommands,
  ...memoryCommands,
  ...vaeCommands,
  ...rnnCommands,
  galleryCommand,
];
