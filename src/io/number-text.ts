/**
 * io: is this CSV cell a decimal number? One pattern for the sequence and series readers.
 * Written so that no digit can be matched two ways: `\d+\.?\d*` let a run of digits split
 * between `\d+` and `\d*` in every way before failing on a trailing letter, which took
 * seconds for a cell of 80,000 digits followed by 'x'.
 */
export const DECIMAL_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Cells that mean "no value here" (compared lower-case): an empty cell, NaN, NA, null. */
const MISSING_TEXT = new Set(['', 'nan', 'na', 'null']);

/** Whether a cell means "no value here" (the --missing option decides what happens to it). */
export const isMissingText = (text: string): boolean => MISSING_TEXT.has(text.toLowerCase());
