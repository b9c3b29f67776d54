import type { Command } from './command.js';

/** The `gradflow` commands (owned by the gradflow stage). */
export const gradflowCommands: readonly Command[] = [];
