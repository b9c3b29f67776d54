/**
 * Themes: every colour and stroke a figure uses, from one JSON file in
 * templates/themes. parseTheme checks a file's content (pure); reading the file
 * belongs to io. The light theme is also built in, so the library needs no file.
 */
import { clipText, InputError } from '../errors.js';

/** The shipped themes, by file name in templates/themes. */
export const THEME_NAMES = ['light', 'dark', 'print', 'colorblind'] as const;

export interface ShapeStyle {
  readonly fill: string;
  readonly stroke: string;
  readonly strokeWidth: number;
  /** The colour of the TeX label drawn on it. */
  readonly text: string;
}

export interface WireStyle {
  readonly color: string;
  readonly width: number;
  /** SVG stroke-dasharray, or '' for a solid line. */
  readonly dash: string;
}

export interface Theme {
  readonly name: string;
  readonly background: string;
  /** Title, step labels and terminal labels. */
  readonly text: string;
  readonly step: ShapeStyle & { readonly radius: number };
  readonly layer: ShapeStyle;
  readonly linear: ShapeStyle;
  readonly pointwise: ShapeStyle;
  readonly function: ShapeStyle;
  readonly matmul: ShapeStyle;
  readonly param: ShapeStyle;
  readonly input: ShapeStyle;
  readonly output: ShapeStyle;
  readonly state: ShapeStyle;
  readonly wires: {
    readonly belt: WireStyle;
    readonly state: WireStyle;
    readonly input: WireStyle;
    readonly internal: WireStyle;
    readonly peephole: WireStyle;
    readonly output: WireStyle;
    readonly noise: WireStyle;
  };
  /** The value overlay: a diverging scale, symmetric around zero. */
  readonly values: { readonly negative: string; readonly zero: string; readonly positive: string; readonly border: string };
  /** Label em size in px; tags and subscripts scale from it. */
  readonly fontPx: number;
}

const shape = (fill: string, stroke: string, text: string, strokeWidth = 1.2): ShapeStyle => ({ fill, stroke, strokeWidth, text });
const wire = (color: string, width: number, dash = ''): WireStyle => ({ color, width, dash });

/** The default theme (same content as templates/themes/light.json; a test keeps them equal). */
export const LIGHT_THEME: Theme = {
  name: 'light',
  background: '#ffffff',
  text: '#1f1f1f',
  step: { ...shape('#eef7e6', '#6d8759', '#4b5f3d', 1.6), radius: 14 },
  layer: shape('#f5ee9c', '#3a3a3a', '#1f1f1f'),
  linear: shape('#fbf7d2', '#3a3a3a', '#1f1f1f'),
  pointwise: shape('#f9d1d1', '#3a3a3a', '#1f1f1f'),
  function: shape('#f9d1d1', '#3a3a3a', '#1f1f1f'),
  matmul: shape('#dde7f3', '#3a3a3a', '#1f1f1f'),
  param: shape('#ffffff', '#8a8a8a', '#1f1f1f', 0.8),
  input: shape('#a2cdec', '#3a3a3a', '#1f1f1f'),
  output: shape('#dbacee', '#3a3a3a', '#1f1f1f'),
  state: shape('#ffffff', '#3a3a3a', '#1f1f1f'),
  wires: {
    belt: wire('#1f1f1f', 2.6),
    state: wire('#1f1f1f', 1.6),
    input: wire('#1f1f1f', 1.4),
    internal: wire('#1f1f1f', 1.4),
    peephole: wire('#c0392b', 1.6, '5 3'),
    output: wire('#1f1f1f', 1.6),
    noise: wire('#1f1f1f', 1.4, '2 2'),
  },
  values: { negative: '#2c7bb6', zero: '#f7f7f7', positive: '#d7191c', border: '#8a8a8a' },
  fontPx: 16,
};

const HEX = /^#[0-9a-fA-F]{6}$/;
/** stroke-dasharray: up to 8 lengths separated by spaces or commas, or '' for solid. */
const DASH = /^(?:\d{1,3}(?:\.\d{1,3})?(?:[ ,]\d{1,3}(?:\.\d{1,3})?){0,7})?$/;

/**
 * The range of each number a theme holds, by key. A figure's size grows with them:
 * "fontPx": 100000 made a PNG of 22 GB.
 */
const NUMBER_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  fontPx: [6, 64],
  strokeWidth: [0, 10],
  width: [0, 10],
  radius: [0, 50],
};

/** Check a theme file's JSON; the message names the file and the bad key. */
export function parseTheme(json: string, file: string): Theme {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (error) {
    throw new InputError(`${file}: not valid JSON (${clipText((error as Error).message, 200)})`);
  }
  check(data, LIGHT_THEME, file, '');
  return data as Theme;
}

/** Walk the reference theme: every key must be present with the same type; colours are #rrggbb. */
function check(value: unknown, reference: unknown, file: string, path: string): void {
  const where = path || 'the theme';
  if (typeof reference === 'object' && reference !== null) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(`${file}: ${where} must be an object`);
    for (const key of Object.keys(reference)) {
      const sub = path ? `${path}.${key}` : key;
      if (!Object.hasOwn(value, key)) throw new InputError(`${file}: missing '${sub}'`);
      check((value as Record<string, unknown>)[key], (reference as Record<string, unknown>)[key], file, sub);
    }
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(reference, key)) throw new InputError(`${file}: unknown key '${path ? `${path}.${key}` : clipText(key)}'`);
    }
    return;
  }
  if (typeof reference === 'number') {
    const [low, high] = NUMBER_RANGES[path.slice(path.lastIndexOf('.') + 1)] ?? [0, 1000];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < low || value > high) {
      throw new InputError(`${file}: '${path}' must be a number from ${low} to ${high}, found ${clipText(JSON.stringify(value) ?? String(value))}`);
    }
    return;
  }
  if (typeof value !== 'string') throw new InputError(`${file}: '${path}' must be a string`);
  const isColour = HEX.test(reference as string);
  if (isColour && !HEX.test(value)) throw new InputError(`${file}: '${path}' must be a colour like #1f77b4, found '${clipText(value)}'`);
  if (path.endsWith('.dash') && !DASH.test(value)) throw new InputError(`${file}: '${path}' must be dash lengths like '5 3' (or '' for a solid line), found '${clipText(value)}'`);
  if (path === 'name' && !/^[\w-]{1,40}$/.test(value)) throw new InputError(`${file}: 'name' must be a word of at most 40 letters, digits, '-' or '_', found '${clipText(value)}'`);
}
