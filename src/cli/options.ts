/** Checks of option values shared by the commands; each names the option and the value found. */
import { InputError } from '../errors.js';

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
