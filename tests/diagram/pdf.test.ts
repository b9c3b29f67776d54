import { describe, expect, it } from 'vitest';
import { diagram } from '../../src/diagram/index.js';
import { svgToPdf } from '../../src/io/pdf.js';
import { svgToPng } from '../../src/io/raster.js';
import { cellNamed } from './helpers.js';

describe('the figure as PNG and PDF', { timeout: 60_000 }, () => {
  it('svgToPdf gives the same bytes twice, one page the size of the viewBox, drawn as vectors', async () => {
    const svg = await diagram(cellNamed('rnn'), { steps: 1 });
    const [, , width, height] = /viewBox="([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)"/.exec(svg)!.slice(1).map(Number);
    const a = await svgToPdf(svg, { title: 'rnn' });
    const b = await svgToPdf(svg, { title: 'rnn' });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const text = Buffer.from(a).toString('latin1');
    expect(text.match(/\/Type \/Page\b/g)).toHaveLength(1);
    expect(text).toContain(`/MediaBox [0 0 ${width} ${height}]`);
    expect(text).not.toContain('/Subtype /Image');
  });

  it('svgToPng renders at the requested scale', async () => {
    const svg = await diagram(cellNamed('rnn'), { steps: 1 });
    const [width, height] = /width="([\d.]+)" height="([\d.]+)"/.exec(svg)!.slice(1).map(Number);
    const png = Buffer.from(svgToPng(svg, { scale: 1.5 }));
    // IHDR: width and height as big-endian integers at bytes 16 and 20.
    expect(png.readUInt32BE(16)).toBe(Math.round(width * 1.5));
    expect(png.readUInt32BE(20)).toBe(Math.round(height * 1.5));
  });
});
