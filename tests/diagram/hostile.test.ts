// Figures from hostile input (issue 12): theme numbers that would make a 22 GB PNG, keys
// named after Object.prototype, and control characters in a title (invalid XML; resvg crashed).
import { describe, expect, it } from 'vitest';
import { diagram, LIGHT_THEME, parseTheme } from '../../src/diagram/index.js';
import { loadCell } from '../../src/index.js';
import { svgToPng } from '../../src/io/raster.js';
import { errorOf } from '../expect.js';

const themeWith = (patch: (theme: Record<string, any>) => void): string => {
  const theme = JSON.parse(JSON.stringify(LIGHT_THEME));
  patch(theme);
  return JSON.stringify(theme);
};
const themeError = (patch: (theme: Record<string, any>) => void) => errorOf(() => parseTheme(themeWith(patch), 'mine.json')).message;

describe('parseTheme ranges', () => {
  it('refuses a font size or width that would blow up the figure, naming the key and the range', () => {
    expect(themeError((t) => (t.fontPx = 100_000))).toBe("mine.json: 'fontPx' must be a number from 6 to 64, found 100000");
    expect(themeError((t) => (t.wires.belt.width = 1e9))).toBe("mine.json: 'wires.belt.width' must be a number from 0 to 10, found 1000000000");
    expect(themeError((t) => (t.step.radius = -1))).toBe("mine.json: 'step.radius' must be a number from 0 to 50, found -1");
    expect(themeError((t) => (t.layer.strokeWidth = '2'))).toBe("mine.json: 'layer.strokeWidth' must be a number from 0 to 10, found \"2\"");
  });

  it('refuses a dash pattern or name that is not one, quoting at most 60 characters', () => {
    expect(themeError((t) => (t.wires.noise.dash = '5 3"/><script>'))).toBe("mine.json: 'wires.noise.dash' must be dash lengths like '5 3' (or '' for a solid line), found '5 3\"/><script>'");
    expect(themeError((t) => (t.name = 'x'.repeat(1000)))).toBe(`mine.json: 'name' must be a word of at most 40 letters, digits, '-' or '_', found '${'x'.repeat(60)}…'`);
  });

  it('treats keys named after Object.prototype as unknown', () => {
    expect(errorOf(() => parseTheme(themeWith((t) => (t.constructor = 'x')), 'mine.json')).message).toBe("mine.json: unknown key 'constructor'");
    expect(themeError((t) => (t.values.toString = '#ffffff'))).toBe("mine.json: unknown key 'values.toString'");
  });

  it('puts a JSON.parse message spanning lines on one line', () => {
    expect(errorOf(() => parseTheme('{"name":\n x}', 'mine.json')).message).toBe(`mine.json: not valid JSON (Unexpected token 'x', "{"name":\\n x}" is not valid JSON)`);
  });
});

describe('diagram titles', () => {
  it('drops control characters from a title, so the SVG is valid XML and converts to PNG', async () => {
    const svg = await diagram(loadCell('rnn'), { title: 'a\u0001b\u001bc\td' });
    expect(svg).toContain('<title id="title">abc d</title>');
    expect(svg).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    const png = svgToPng(svg);
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
  }, 60_000);
});
