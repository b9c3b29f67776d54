/**
 * The only source of randomness in gateflow. Every stage takes a `Random` (or a seed) from its
 * caller, so the same inputs and seed give the same bytes. Never use Math.random.
 */
import { InputError } from './errors.js';

/** A seeded stream of numbers. Not cryptographic; fast and reproducible across platforms. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [low, high). */
  uniform(low: number, high: number): number;
  /** Standard normal N(0, 1) (Box-Muller, with the second value cached). */
  normal(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** A new independent stream derived from this one (for giving a sub-task its own seed). */
  fork(): Random;
  /** The numbers in place, Fisher-Yates. */
  shuffle<T>(items: T[]): T[];
  /** Fills a typed array with U(low, high). */
  fillUniform(out: Float64Array | Float32Array, low: number, high: number): void;
  /** Fills a typed array with N(mean, std^2). */
  fillNormal(out: Float64Array | Float32Array, mean?: number, std?: number): void;
}

/** Hashes a 32-bit seed into a well-mixed state (splitmix32), so seeds 1 and 2 give unrelated streams. */
function mix(seed: number): number {
  let z = (seed + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A mulberry32 stream from an integer seed. */
export function createRandom(seed: number): Random {
  // A seed usually comes from the user (--seed), so a bad one is their input error, not a bug.
  if (!Number.isInteger(seed)) throw new InputError(`seed must be an integer, got ${seed}`);
  let state = mix(seed);
  let spare: number | undefined;

  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  const normal = (): number => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    // 1 - next() lies in (0, 1], so the log is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - next()));
    const angle = 2 * Math.PI * next();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };

  const random: Random = {
    next,
    uniform: (low, high) => low + (high - low) * next(),
    normal,
    int: (n) => Math.floor(next() * n),
    fork: () => createRandom(Math.floor(next() * 4294967296) | 0),
    shuffle(items) {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [items[i], items[j]] = [items[j]!, items[i]!];
      }
      return items;
    },
    fillUniform(out, low, high) {
      for (let i = 0; i < out.length; i++) out[i] = low + (high - low) * next();
    },
    fillNormal(out, mean = 0, std = 1) {
      for (let i = 0; i < out.length; i++) out[i] = mean + std * normal();
    },
  };
  return random;
}
