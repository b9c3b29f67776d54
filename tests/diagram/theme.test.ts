import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIGHT_THEME, parseTheme, THEME_NAMES } from '../../src/diagram/index.js';
import { listThemes, readTheme } from '../../src/io/theme.js';
import { THEMES_DIR } from '../../src/io/index.js';

const text = (name: string) => readFileSync(join(THEMES_DIR, `${name}.json`), 'utf8');
const colours = (value: unknown): string[] =>
  typeof value === 'string' ? (/^#[0-9a-f]{6}$/i.test(value) ? [value] : []) : typeof value === 'object' && value ? Object.values(value).flatMap(colours) : [];

describe('themes', () => {
  it('the shipped theme files are exactly THEME_NAMES', () => {
    expect(listThemes()).toEqual([...THEME_NAMES].sort());
  });

  it('templates/themes/light.json is the built-in default theme', () => {
    expect(parseTheme(text('light'), 'light.json')).toEqual(LIGHT_THEME);
  });

  for (const name of THEME_NAMES) {
    it(`parseTheme(${name}.json) accepts the shipped file and its name matches`, () => {
      expect(parseTheme(text(name), `${name}.json`).name).toBe(name);
    });
  }

  it('print is pure greyscale, so it reads the same printed in black and white', () => {
    for (const c of colours(parseTheme(text('print'), 'print.json'))) {
      expect(c.slice(1, 3), c).toBe(c.slice(3, 5));
      expect(c.slice(3, 5), c).toBe(c.slice(5, 7));
    }
  });

  it('colorblind uses the Okabe-Ito colours for layers, inputs, outputs and peepholes', () => {
    const t = parseTheme(text('colorblind'), 'colorblind.json');
    const okabeIto = ['#e69f00', '#56b4e9', '#009e73', '#f0e442', '#0072b2', '#d55e00', '#cc79a7', '#000000'];
    for (const c of [t.layer.fill, t.pointwise.fill, t.input.fill, t.output.fill, t.wires.peephole.color, t.step.stroke, t.values.negative, t.values.positive]) {
      expect(okabeIto).toContain(c);
    }
  });

  it('parseTheme names the file and the bad key', () => {
    const broken = JSON.parse(text('light'));
    broken.layer.fill = 'yellow';
    expect(() => parseTheme(JSON.stringify(broken), 'mine.json')).toThrow("mine.json: 'layer.fill' must be a colour like #1f77b4, found 'yellow'");
    delete broken.layer;
    expect(() => parseTheme(JSON.stringify(broken), 'mine.json')).toThrow("mine.json: missing 'layer'");
    expect(() => parseTheme('{"name": ', 'mine.json')).toThrow(/^mine\.json: not valid JSON/);
    expect(() => parseTheme(JSON.stringify({ ...LIGHT_THEME, glow: 1 }), 'mine.json')).toThrow("mine.json: unknown key 'glow'");
  });

  it('readTheme lists the themes when the name is unknown', () => {
    expect(() => readTheme('neon')).toThrow("unknown theme 'neon' (themes: colorblind, dark, light, print; or give a path to a .json theme file)");
  });
});
