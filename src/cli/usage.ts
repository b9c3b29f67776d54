/**
 * yargs's own failures (a missing value, an unknown option, a bad choice, a missing argument)
 * as one line in gateflow's words. yargs writes some on several lines ("Invalid values:" and
 * one line per argument); a terminal user and a script both want one.
 */
import { GateflowError } from '../errors.js';

/** A command line gateflow cannot run: exit 2, like any bad input. */
export class UsageError extends GateflowError {
  override name = 'UsageError';
}

const list = (text: string): string[] => text.split(',').map((s) => s.trim().replace(/^"(.*)"$/, '$1')).filter(Boolean);


/** One yargs message, reworded; anything not recognised is kept, its lines joined. */
export function usageMessage(message: string, argv: readonly string[]): string {
  /** An option as typed: -o, --output, --k. */
  const dashes = (name: string): string => (name.length === 1 && !argv.includes(`--${name}`) ? `-${name}` : `--${name}`);
  let m: RegExpExecArray | null;
  if ((m = /^Not enough arguments following: (.+)$/.exec(message))) return `option ${dashes(m[1]!)} needs a value`;
  if ((m = /^Unknown arguments?: (.+)$/.exec(message))) {
    return list(m[1]!)
      .map((name) =>
        argv.some((a) => a === dashes(name) || a.startsWith(`${dashes(name)}=`))
          ? `unknown option ${dashes(name)}`
          : name === argv.find((a) => !a.startsWith('-'))
            ? `unknown command '${name}' (see gateflow --help)`
            : `unexpected argument '${name}'`,
      )
      .join('; ');
  }
  if ((m = /^Did you mean (.+)\?$/.exec(message))) return `unknown command '${argv.find((a) => !a.startsWith('-'))}' (did you mean ${m[1]}?)`;
  if ((m = /^Missing required arguments?: (.+)$/.exec(message))) return list(m[1]!).map((name) => `option --${name} is required`).join('; ');
  if (message.startsWith('Invalid values:')) {
    return [...message.matchAll(/Argument: ([^,]+), Given: (.*?), Choices: (.*)$/gm)]
      .map(([, name, given, choices]) => `option --${name}: expected one of ${list(choices!).join(', ')}, found ${given!.replace(/^"(.*)"$/, "'$1'")}`)
      .join('; ');
  }
  if ((m = /^Not enough non-option arguments: got (\d+), need at least (\d+)$/.exec(message))) return `missing argument (got ${m[1]}, need ${m[2]}; see --help)`;
  if ((m = /^Too many non-option arguments: got (\d+), maximum of (\d+)$/.exec(message))) return `too many arguments (got ${m[1]}, at most ${m[2]})`;
  return message.split('\n').map((line) => line.trim()).filter(Boolean).join(' ');
}
