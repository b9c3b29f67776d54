// The five ways a generated series writes its times (ISO dates, Unix epoch s, ms, µs, ns),
// shared by the epoch and by-content timestamp tests. Expected times come from Date.UTC and
// BigInt, never from the reader under test.
import fc from 'fast-check';

export type Form = 'iso' | 's' | 'ms' | 'us' | 'ns';
export const FORMS: readonly Form[] = ['iso', 's', 'ms', 'us', 'ns'];

/** A whole-ms time in each form; µs and ns by BigInt (ns of today exceed 2^53). */
export const write = (ms: number, form: Form) =>
  form === 'iso' ? new Date(ms).toISOString().replace('T', ' ').replace('.000Z', '')
  : form === 's' ? String(ms / 1000)
  : form === 'ms' ? String(ms)
  : String(BigInt(ms) * (form === 'us' ? 1000n : 1_000_000n));

/** The message `run` throws, or 'no error' (so a missing refusal fails the comparison by name). */
export const errorOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
};

/** A start from 2001 to 2030, whole seconds. */
export const start = fc.integer({ min: Date.UTC(2001, 0, 1) / 1000, max: Date.UTC(2030, 0, 1) / 1000 }).map((s) => s * 1000);
