// A chart whose text comes from a user's file (issue 12): a CSV column named with control
// characters made an SVG that was not XML, and resvg refused it (an internal error).
import { describe, expect, it } from 'vitest';
import { svgToPng } from '../../src/io/raster.js';
import { lineChart, renderChart } from '../../src/plot/index.js';

describe('renderChart with control characters in its text', () => {
  it('drops them, so the SVG is valid XML and converts to PNG', async () => {
    const svg = await renderChart(lineChart({ series: [{ name: 'val\u0001ue', y: [1, 2, 3] }, { name: 'b\u001b[31m', y: [3, 2, 1] }], title: 'series\u0000 one' }));
    expect(svg).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(svg).toContain('<title>series one</title>');
    // The legend draws the name without them (no missing-glyph box).
    expect(svg).toContain('aria-label="value"');
    const png = svgToPng(svg);
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
  }, 60_000);
});
