import type { Command } from './command.js';

/** The `vae` commands (owned by the vae stage). */
export const vaeCommands: readonly Command[] = [];
