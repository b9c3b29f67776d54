/**
 * The `vae` commands: train, sweep, imbalance, gradvar, one file each. A command file parses its
 * options, calls the vae stage (src/train/vae) and plot, and writes what they return; the
 * words and tables come from the stage's report.ts. Heavy modules load only when a command runs.
 */
import type { Command } from './command.js';
import { gradvarCommand } from './vae-gradvar.js';
import { imbalanceCommand } from './vae-imbalance.js';
import { sweepCommand } from './vae-sweep.js';
import { trainCommand } from './vae-train.js';

/** The `vae` commands (owned by the vae stage). */
export const vaeCommands: readonly Command[] = [
  (cli) =>
    cli.command('vae', 'Variational autoencoder: train, beta sweep, latent-space imbalance, gradient variance', (y) =>
      [trainCommand, sweepCommand, imbalanceCommand, gradvarCommand]
        .reduce((acc, command) => command(acc), y)
        .demandCommand(1, 'name a vae command: train, sweep, imbalance or gradvar'),
    ),
];
