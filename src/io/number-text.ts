/**
 * io: is this CSV cell a decimal number? One pattern for the sequence and series readers.
 * Written so that no digit can be matched two ways: `\d+\.?\d*` let a run of digits split
 * between `\d+` and `\d*` in every way before failing on a trailing letter, which took
 * seconds for a cell of 80,000 digits followed by 'x'.
 */
export const DECIMAL_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
