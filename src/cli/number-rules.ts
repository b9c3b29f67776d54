/**
 * The range of every numeric option, by option name (a command may override a name it uses
 * differently). The CLI checks each number against its rule before any work starts, so a
 * handler receives only finite numbers in range, and a message echoes what the user typed.
 * Sizes (`limit`) have a default ceiling that --max-size raises.
 */

export interface NumberRule {
  readonly integer?: boolean;
  /** Lowest allowed value; `above` makes it exclusive. */
  readonly min?: number;
  readonly above?: boolean;
  /** Highest allowed value; `below` makes it exclusive. A size has `limit` instead. */
  readonly max?: number;
  readonly below?: boolean;
  /** A size: at most this unless --max-size gives another ceiling. */
  readonly limit?: number;
}

/** The default ceiling of sizes that --max-size raises can itself go no further (typed-array lengths). */
export const MAX_SIZE_CEILING = 2 ** 31 - 1;

const size = (limit: number, min = 1): NumberRule => ({ integer: true, min, limit });
const SEED: NumberRule = { integer: true, min: 0, max: 2 ** 32 - 1 };
const FRACTION: NumberRule = { min: 0, above: true, max: 1, below: true };

/** Rules by option name, for every command that has the option. */
const RULES: Readonly<Record<string, NumberRule>> = {
  seed: SEED,
  hidden: size(4096),
  input: size(4096),
  latent: size(1024),
  batch: size(4096),
  epochs: size(10_000),
  window: size(10_000),
  horizon: size(1000),
  smooth: size(10_000),
  length: size(1_000_000),
  count: size(1000),
  seeds: size(100),
  sprites: size(1_000_000),
  'held-out': size(1_000_000),
  'mig-samples': size(1_000_000),
  params: size(10_000_000),
  'test-size': size(100_000),
  samples: size(1000),
  total: size(100_000),
  k: size(1000),
  repeats: { integer: true, min: 2, limit: 1_000_000 },
  steps: size(10_000),
  'max-steps': size(1_000_000),
  step: size(1_000_000, 0),
  'batch-element': size(4096, 0),
  'grad-unit': { integer: true, min: 0, max: 2 ** 31 - 1 },
  tolerance: size(1_000_000, 0),
  'local-scale': size(1_000_000, 0),
  'level-window': size(1_000_000, 0),
  'min-run': size(10_000),
  'max-size': { integer: true, min: 1, max: MAX_SIZE_CEILING },
  // Megabytes: a Buffer holds at most 4 GB (text is capped at 500 MB whatever this says).
  'max-read-mb': { integer: true, min: 1, max: 4000 },
  digits: { integer: true, min: 0, max: 17 },
  scale: { min: 0, above: true, max: 16 },
  lr: { min: 0, above: true, max: 10 },
  beta: { min: 0, max: 1e6 },
  clip: { min: 0, max: 1e6 },
  quantile: { min: 0, max: 1 },
  risk: FRACTION,
  'robust-k': { min: 0, above: true, max: 1000 },
  ensemble: size(100),
  threshold: { min: 0, max: 1e12 },
  'normal-fraction': FRACTION,
  'holdout-fraction': FRACTION,
  period: { min: 1, above: true, max: 1_000_000 },
  noise: { min: 0, max: 1e6 },
  mu: { min: -1e6, max: 1e6 },
  sigma: { min: 0, above: true, max: 1e6 },
};

/** Where one command means something else by a shared name ('command option'). */
const COMMAND_RULES: Readonly<Record<string, NumberRule>> = {
  'diagram steps': { integer: true, min: 1, max: 8 },
  // An absolute difference between two models' values, not a count of steps as in rnn detect.
  'check tolerance': { min: 0, max: 1e6 },
  'convert tolerance': { min: 0, max: 1e6 },
  'explore window': { integer: true, min: 1, max: 3 },
  // Sprites come in dSprites's 64 px or the quick 32 px; the stage refuses any other side.
  'vae sweep side': { integer: true, min: 32, max: 64 },
  // The memory map holds T² norms and differentiates T·hidden copies of each sequence at once.
  'memory steps': { integer: true, min: 1, max: 500 },
};

/** Every size option with its default limit (the README lists them). */
export function sizeLimits(): Map<string, number> {
  return new Map(Object.entries(RULES).flatMap(([name, rule]) => (rule.limit === undefined ? [] : [[name, rule.limit] as const])));
}

export function numberRule(command: string, option: string): NumberRule | undefined {
  return COMMAND_RULES[`${command} ${option}`] ?? RULES[option];
}

/** The rule in words: 'an integer from 1 to 4096', 'a number above 0 and at most 16'. */
export function describeRule(rule: NumberRule, maxSize?: number): string {
  const kind = rule.integer ? 'an integer' : 'a number';
  const max = rule.limit !== undefined ? (maxSize ?? rule.limit) : rule.max;
  if (rule.min !== undefined && max !== undefined && !rule.above && !rule.below) return `${kind} from ${rule.min} to ${max}`;
  const bounds: string[] = [];
  if (rule.min !== undefined) bounds.push(rule.above ? `above ${rule.min}` : `at least ${rule.min}`);
  if (max !== undefined) bounds.push(rule.below ? `below ${max}` : `at most ${max}`);
  return `${kind} ${bounds.join(' and ')}`;
}

/**
 * The number the user typed, or the reason it is refused (in words, without the option's name).
 * Only plain decimal numbers are accepted: no '', '0x10', 'Infinity' or '1_000'.
 */
export function checkNumber(text: string, rule: NumberRule, maxSize?: number): { value: number } | { reason: string } {
  const trimmed = text.trim();
  const value = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed) ? Number(trimmed) : NaN;
  const max = rule.limit !== undefined ? (maxSize ?? rule.limit) : rule.max;
  const ok =
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || (rule.above ? value > rule.min : value >= rule.min)) &&
    (max === undefined || (rule.below ? value < max : value <= max));
  if (ok) return { value };
  const hint = rule.limit !== undefined && Number.isFinite(value) && value > max! && (maxSize ?? 0) < MAX_SIZE_CEILING ? ` (--max-size raises the limit)` : '';
  return { reason: `expected ${describeRule(rule, maxSize)}, found '${shorten(text)}'${hint}` };
}

/** A typed value cut to a readable length for a message. */
export function shorten(text: string, maxChars = 40): string {
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}
