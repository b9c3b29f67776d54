// Every option of every command, read from yargs's own description of the commands (not a
// list written here): given without its value, a value-taking option must fail with exit 2
// and one line naming it; a numeric one must also refuse a word and numbers far out of range,
// quoting what was typed. Run in-process (parse only, no handler), so the walk takes seconds.
import yargs, { type Argv } from 'yargs';
import { describe, expect, it } from 'vitest';
import { buildCli, runCli } from '../../src/cli/cli.js';

interface OptionFacts {
  key: Record<string, boolean>;
  number: string[];
  boolean: string[];
  count: string[];
  choices: Record<string, unknown[]>;
  alias: Record<string, string[]>;
  demandedOptions: Record<string, unknown>;
}
interface Handler {
  original: string;
  builder: ((y: Argv) => Argv | void) | Record<string, unknown>;
}
interface CommandFacts {
  path: string[];
  positionals: Set<string>;
  /** A stand-in value for each required positional ('<cell>'). */
  required: string[];
  options: OptionFacts;
}

const internals = (y: Argv) =>
  y as unknown as {
    getOptions(): OptionFacts;
    getInternalMethods(): { getCommandInstance(): { getCommandHandlers(): Record<string, Handler> } };
  };

/** Every leaf command with the options its builder declares, walking nested commands (vae train). */
function describeCommands(instance: Argv, path: string[] = []): CommandFacts[] {
  const handlers = internals(instance).getInternalMethods().getCommandInstance().getCommandHandlers();
  return Object.entries(handlers).flatMap(([name, handler]) => {
    const fresh = yargs([]);
    if (typeof handler.builder === 'function') handler.builder(fresh);
    const nested = describeCommands(fresh, [...path, name]);
    if (nested.length > 0) return nested;
    const positionals = new Set([...handler.original.matchAll(/[<[]([^\]>.]+)/g)].map((m) => m[1]!));
    const required = [...handler.original.matchAll(/<[^>]+>/g)].map(() => 'x');
    return [{ path: [...path, name], positionals, required, options: internals(fresh).getOptions() }];
  });
}

async function run(args: string[]): Promise<{ status: number; stderr: string }> {
  let stderr = '';
  const status = await runCli(args, { parseOnly: true, stderr: (text) => (stderr += text) });
  return { status, stderr };
}

const commands = describeCommands(buildCli([]));
const globals = internals(buildCli([])).getOptions();

describe('every option of every command (from yargs\'s description)', () => {
  it('finds the commands and their options', () => {
    const paths = commands.map((c) => c.path.join(' '));
    for (const p of ['cells', 'equations', 'diagram', 'trace', 'gradflow', 'vae train', 'vae sweep', 'vae imbalance', 'vae gradvar', 'rnn detect', 'rnn synth', 'rnn benchmark', 'gallery']) {
      expect(paths).toContain(p);
    }
  });

  for (const command of commands) {
    const { options } = command;
    const flags = new Set([...options.boolean, ...options.count, 'help', 'version']);
    // One-letter keys that are another option's alias (-o) are tried as that option's short form.
    const aliases = new Set(Object.values(options.alias).flat());
    const isShortAlias = (k: string) => k.length === 1 && aliases.has(k);
    const valueOptions = Object.keys({ ...options.key, ...globals.key }).filter(
      (k) => !flags.has(k) && !command.positionals.has(k) && !globals.boolean.includes(k) && !isShortAlias(k),
    );
    // Options the command demands get a stand-in value, so that yargs reaches the check under test.
    const demanded = (except: string) => Object.keys(options.demandedOptions).filter((k) => k !== except).flatMap((k) => [`--${k}`, 'x']);
    // Required positionals (<cell>) are checked before options, so they get a stand-in too.
    const base = [...command.path, ...command.required];
    const numeric = new Set([...options.number, ...globals.number]);
    const name = command.path.join(' ');

    it(`${name}: each of ${valueOptions.length} value-taking options, given without its value, names itself`, async () => {
      const failures: string[] = [];
      for (const key of valueOptions) {
        for (const spelled of [`--${key}`, ...(options.alias[key] ?? []).filter((a) => a.length === 1).map((a) => `-${a}`)]) {
          const result = await run([...base, spelled]);
          if (result.status !== 2 || result.stderr !== `gateflow: option ${spelled} needs a value\n`) failures.push(`${spelled}: ${result.status} ${JSON.stringify(result.stderr)}`);
        }
      }
      expect(failures).toEqual([]);
    });

    const numbers = valueOptions.filter((k) => numeric.has(k));
    if (numbers.length > 0) {
      it(`${name}: each of ${numbers.length} numeric options refuses a word and out-of-range numbers, quoting them`, async () => {
        const failures: string[] = [];
        for (const key of numbers) {
          for (const value of ['abc', '1e300', '-1e300', '12abc', '']) {
            const result = await run([...base, `--${key}`, value]);
            const ok = result.status === 2 && new RegExp(`^gateflow: option --${key}: expected [^\\n]+, found '${value.replace(/[+.]/g, '\\$&')}'( \\(--max-size raises the limit\\))?\\n$`).test(result.stderr);
            if (!ok) failures.push(`--${key} ${value}: ${result.status} ${JSON.stringify(result.stderr)}`);
          }
        }
        expect(failures).toEqual([]);
      });
    }

    const choices = valueOptions.filter((k) => options.choices[k]);
    if (choices.length > 0) {
      it(`${name}: each of ${choices.length} options with choices refuses another word, listing the choices`, async () => {
        for (const key of choices) {
          const result = await run([...base, ...demanded(key), `--${key}`, 'not-a-choice']);
          expect(result.status).toBe(2);
          expect(result.stderr).toBe(`gateflow: option --${key}: expected one of ${options.choices[key]!.join(', ')}, found 'not-a-choice'\n`);
        }
      });
    }
  }
});
