/**
 * Rules every option follows, applied once for all commands: an option that takes a value
 * requires it, is given at most once, and a number is checked against its range
 * (number-rules.ts) before the handler runs. The validators below check values a handler
 * derives itself; each message names the option and the value found.
 */
import type { Arguments, Argv } from 'yargs';
import { InputError } from '../errors.js';
import { checkNumber, numberRule } from './number-rules.js';

export function positiveInteger(value: number, option: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new InputError(`--${option} must be a positive integer, got ${value}`);
  return value;
}

export function fraction(value: number, option: string): number {
  if (!(value > 0 && value < 1)) throw new InputError(`--${option} must lie strictly between 0 and 1, got ${value}`);
  return value;
}

export function parseNumberList(text: string, option: string): number[] {
  const values = text.split(',').map((part) => part.trim()).filter((part) => part !== '').map(Number);
  if (values.length === 0 || values.some((v) => !Number.isFinite(v) || v < 0)) {
    throw new InputError(`--${option} must be a comma-separated list of non-negative numbers, got '${text}'`);
  }
  return values;
}

/** A size typed inside another option's value (--size out=N): an integer from 1 to the hidden-size limit. */
export function sizeValue(text: string, what: string, maxSize: number | undefined): number {
  const rule = numberRule('', 'hidden')!;
  const checked = checkNumber(text, rule, Math.max(rule.limit!, maxSize ?? 0));
  if ('reason' in checked) throw new InputError(`--${what}: ${checked.reason}`);
  return checked.value;
}

/** Names of the positionals in a yargs command string ('trace [cell]', 'gradflow [cells..]'). */
export function positionalNames(command: string): string[] {
  return [...command.matchAll(/[<[]([^\]>.]+)(?:\.\.)?[\]>]/g)].map((m) => m[1]!);
}

/** The part of yargs's (untyped) getOptions() these rules read. */
interface Options {
  key: Record<string, boolean>;
  number: string[];
  array: string[];
  boolean: string[];
  count: string[];
  alias: Record<string, string[]>;
}

/** yargs's own description of the options declared so far (public at run time, absent from its types). */
export const optionsOf = (y: Argv): Options => (y as unknown as { getOptions(): Options }).getOptions();

/** The options a value follows: every declared option but flags, counts and positionals. */
function valueOptions(options: Options, positionals: readonly string[]): string[] {
  const flags = new Set([...options.boolean, ...options.count, ...positionals, 'help', 'version']);
  return Object.keys(options.key).filter((key) => !flags.has(key));
}

/**
 * After a command's builder: every value-taking option requires its value, and numbers are kept
 * as the text typed (checkOptionValues converts them), so a message can quote it.
 */
export function requireValues(y: Argv, command: string): Argv {
  const options = optionsOf(y);
  const keys = valueOptions(options, positionalNames(command));
  if (keys.length > 0) y.requiresArg(keys);
  const numbers = options.number.filter((key) => keys.includes(key));
  if (numbers.length > 0) y.string(numbers);
  showSizeLimits(y, numbers, command.split(' ')[0]!);
  return y;
}

/** Each size option's --help line ends with its default limit. */
function showSizeLimits(y: Argv, numbers: readonly string[], command: string): void {
  const usage = (y as unknown as { getInternalMethods(): { getUsageInstance(): { getDescriptions(): Record<string, string | undefined> } } }).getInternalMethods().getUsageInstance();
  const descriptions = usage.getDescriptions();
  for (const key of numbers) {
    const limit = numberRule(command, key)?.limit;
    if (limit === undefined) continue;
    const text = descriptions[key] ?? '';
    y.describe(key, `${text}${text ? '; ' : ''}at most ${withThousands(limit)} (see --max-size)`);
  }
}

/**
 * An integer with commas between thousands, as toLocaleString('en-US') writes it; without
 * Intl, whose first number format costs a command's start some 30 ms (each command builds its
 * options, --help or not).
 */
const withThousands = (n: number): string => String(n).replace(/\B(?=(\d{3})+$)/g, ',');

const camelCase = (key: string): string => key.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** The command's path as typed ('rnn detect'), for per-command rules and messages. */
export function commandPath(argv: Arguments): string {
  return argv._.filter((part): part is string => typeof part === 'string').join(' ');
}

/**
 * Middleware before validation: refuse an option given twice, and turn every number typed
 * into a number in its range (or a one-line error quoting the text).
 */
export function checkOptionValues(argv: Arguments, y: Argv): void {
  const options = optionsOf(y);
  const command = commandPath(argv);
  const numbers = new Set(options.number);
  const arrays = new Set(options.array);
  // --max-size first: the size limits of the others depend on it.
  const keys = Object.keys(options.key).sort((a, b) => Number(b === 'max-size') - Number(a === 'max-size'));
  for (const key of keys) {
    const value = argv[key];
    if (value === undefined || options.boolean.includes(key)) continue;
    if (Array.isArray(value) && !arrays.has(key)) throw new InputError(`option --${key} is given more than once`);
    if (!numbers.has(key) || typeof value !== 'string') continue;
    const rule = numberRule(command, key);
    if (!rule) throw new Error(`no range rule for the numeric option --${key} of '${command}' (add one in cli/number-rules.ts)`);
    const given = argv['max-size'];
    const maxSize = rule.limit === undefined ? undefined : Math.max(rule.limit, typeof given === 'number' ? given : 0);
    const checked = checkNumber(value, rule, maxSize);
    if ('reason' in checked) throw new InputError(`option --${key}: ${checked.reason}`);
    for (const name of [key, camelCase(key), ...(options.alias[key] ?? [])]) argv[name] = checked.value;
  }
}
