import type { Command } from './command.js';

/** The `diagram` commands (owned by the diagram stage). */
export const diagramCommands: readonly Command[] = [];
