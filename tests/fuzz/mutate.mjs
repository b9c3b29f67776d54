// Seeded mutations of a valid input, for the loader fuzzer: byte flips, truncation,
// insertion of what hostile files hold (huge numbers, deep nesting, long lines, control
// characters), duplicated or deleted lines, and type changes of JSON values. The same
// (seed, input) always gives the same mutant, so a failure can be replayed from its seed.

/** What gets inserted: each a known way to hurt a reader. */
const NASTY = [
  () => '1e400', () => '-1e400', () => '100000000', () => '99999999999999999999', () => '-1', () => '0', () => '2.5',
  () => 'NaN', () => 'Infinity', () => 'null', () => '""', () => '{}', () => '[]', () => '__proto__', () => 'constructor', () => 'toString',
  (r) => '['.repeat(1 + r.int(5000)), (r) => '{"a":'.repeat(1 + r.int(3000)), (r) => '('.repeat(1 + r.int(3000)),
  (r) => '1'.repeat(1 + r.int(100_000)) + 'x', (r) => ' '.repeat(1 + r.int(100_000)), (r) => 'x'.repeat(1 + r.int(100_000)),
  (r) => ' + b'.repeat(1 + r.int(5000)), (r) => '\n'.repeat(1 + r.int(50_000)),
  () => '\u0000', () => '\u0001\u001b[31m', () => '\r', () => '\t', () => '\ufeff', () => '\ud800', () => '"', () => ',', () => ';', () => '#',
  () => '[20000]', () => '[100000, 100000]',
];

/**
 * The longest mutant text, in characters. Duplicating a 35 KB statement 2,000 times, then
 * again, built strings of hundreds of MB that ended the fuzz child's 768 MB heap inside the
 * mutator (case 1,398 of the long cell run, seed 2027), before any loader ran; readers refuse
 * files far below this anyway (a cell is read up to 1 MB, an input up to 64 MB).
 */
export const MAX_MUTANT_CHARS = 64 * 1024 * 1024;
/** Above this many characters (the quick run's mutants stay below it), mutations avoid listing every match of the text. */
const LONG_TEXT = 12 * 1024 * 1024;

/** A mutant of `text`: one to three text mutations. */
export function mutateText(text, random, json = false) {
  let out = text;
  const count = 1 + random.int(3);
  for (let k = 0; k < count; k++) {
    const which = random.int(json ? 8 : 7);
    if (which === 7) out = mutateJson(out, random);
    else out = TEXT_MUTATIONS[which](out, random);
  }
  return out;
}

const at = (text, random) => random.int(text.length + 1);
const lines = (text) => text.split('\n');

const TEXT_MUTATIONS = [
  // Replace one character by a random one (ASCII or not).
  (t, r) => { const i = r.int(Math.max(t.length, 1)); return t.slice(0, i) + String.fromCharCode(r.int(2) ? 32 + r.int(95) : r.int(0x3000)) + t.slice(i + 1); },
  // Truncate.
  (t, r) => t.slice(0, at(t, r)),
  // Insert something nasty.
  (t, r) => { const i = at(t, r); return t.slice(0, i) + NASTY[r.int(NASTY.length)](r) + t.slice(i); },
  // Duplicate a line (possibly many times, up to the mutant cap).
  (t, r) => {
    const ls = lines(t);
    const i = r.int(ls.length);
    const wanted = 1 + (r.int(4) === 0 ? r.int(2000) : 0);
    const copies = Math.max(0, Math.min(wanted, Math.floor((MAX_MUTANT_CHARS - t.length) / (ls[i].length + 1))));
    ls.splice(i, 0, ...new Array(copies).fill(ls[i]));
    return ls.join('\n');
  },
  // Delete a line.
  (t, r) => { const ls = lines(t); ls.splice(r.int(ls.length), 1); return ls.join('\n'); },
  // Replace a number by a nasty one. In a long text (a statement duplicated thousands of times holds millions of
  // numbers, whose match objects alone overran the fuzz child's heap) the first number after a random place.
  (t, r) => {
    const NUMBER = /-?\d+(\.\d+)?(e-?\d+)?/g;
    let m;
    if (t.length <= LONG_TEXT) {
      const numbers = [...t.matchAll(NUMBER)];
      if (!numbers.length) return t;
      m = numbers[r.int(numbers.length)];
    } else {
      NUMBER.lastIndex = r.int(t.length);
      m = NUMBER.exec(t) ?? ((NUMBER.lastIndex = 0), NUMBER.exec(t));
      if (!m) return t;
    }
    return t.slice(0, m.index) + NASTY[r.int(10)](r) + t.slice(m.index + m[0].length);
  },
  // Swap two lines.
  (t, r) => { const ls = lines(t); const i = r.int(ls.length); const j = r.int(ls.length); [ls[i], ls[j]] = [ls[j], ls[i]]; return ls.join('\n'); },
];

/** Parse, change one value's type or size, print again (falls back to a text mutation for invalid JSON). */
function mutateJson(text, random) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return TEXT_MUTATIONS[2](text, random);
  }
  const holders = [];
  const visit = (node) => {
    if (node === null || typeof node !== 'object') return;
    for (const key of Object.keys(node)) {
      holders.push([node, key]);
      if (holders.length < 20_000) visit(node[key]);
    }
  };
  visit(value);
  if (holders.length === 0) return JSON.stringify(REPLACEMENTS[random.int(REPLACEMENTS.length)](value, random));
  const [holder, key] = holders[random.int(holders.length)];
  if (random.int(8) === 0 && !Array.isArray(holder)) delete holder[key];
  else holder[key] = REPLACEMENTS[random.int(REPLACEMENTS.length)](holder[key], random);
  return JSON.stringify(value, null, random.int(2) ? 1 : undefined);
}

const REPLACEMENTS = [
  () => 100_000_000, () => -1, () => 0, () => 2.5, () => 1e308, () => null, () => true, () => 'x', () => '', () => [], () => ({}),
  (v) => String(v), (v) => [v], (v) => ({ v }), (v) => (Array.isArray(v) ? v.slice(0, v.length >> 1) : v),
  (v) => (Array.isArray(v) ? [...v, ...v] : v), (v) => (typeof v === 'number' ? -v : v), (v) => (typeof v === 'number' ? v * 1e6 : v),
  () => [100_000, 100_000], () => [1, 100_000, 100_000], () => ({ shape: 3, data: 'x' }),
];

/** A mutant of `bytes`: flips, truncation, insertion of random or extreme bytes, duplicated chunks. */
export function mutateBytes(bytes, random) {
  let out = Uint8Array.from(bytes);
  const count = 1 + random.int(3);
  for (let k = 0; k < count; k++) {
    const which = random.int(5);
    const i = random.int(out.length + 1);
    if (which === 0 && out.length > 0) out[Math.min(i, out.length - 1)] ^= 1 << random.int(8);
    else if (which === 1 && out.length > 0) out[Math.min(i, out.length - 1)] = random.int(2) ? 0xff : random.int(256);
    else if (which === 2) out = out.slice(0, i);
    else if (which === 3) {
      // A varint of maximal size, or random bytes: lengths and dims that claim too much.
      const insert = random.int(2) ? Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01) : Uint8Array.from({ length: 1 + random.int(16) }, () => random.int(256));
      out = Uint8Array.from([...out.subarray(0, i), ...insert, ...out.subarray(i)]);
    } else {
      const j = random.int(out.length + 1);
      const [a, b] = i < j ? [i, j] : [j, i];
      out = Uint8Array.from([...out.subarray(0, b), ...out.subarray(a, b), ...out.subarray(b)]);
    }
  }
  return out;
}
