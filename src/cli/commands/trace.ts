import type { Command } from './command.js';

/** The `trace` commands (owned by the trace stage). */
export const traceCommands: readonly Command[] = [];
