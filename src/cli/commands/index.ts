import type { Argv } from 'yargs';
import { cellsCommand, equationsCommand } from './cells.js';
import { galleryCommand } from './gallery.js';

export type Command = (cli: Argv) => Argv;

/** Every command, in the order --help lists them. */
export const commands: readonly Command[] = [cellsCommand, equationsCommand, galleryCommand];
