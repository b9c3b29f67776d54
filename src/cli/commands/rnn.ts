import type { Command } from './command.js';

/** The `rnn` commands (owned by the rnn stage). */
export const rnnCommands: readonly Command[] = [];
