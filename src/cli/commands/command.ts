import type { Argv } from 'yargs';

/** A command adds itself to the yargs instance; its handler imports heavy modules lazily. */
export type Command = (cli: Argv) => Argv;
