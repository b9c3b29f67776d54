import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { barChart, detectionChart, formatNumber, imageGrid, lineChart, renderChart, scatter, trainingChart, vconcat } from '../../src/plot/index.js';
import { loadGlyphFonts, measureText, textOutline } from '../../src/plot/glyphs.js';
import { toStableJson } from '../../src/stable-json.js';
import { expectGolden } from '../golden.js';

const thresholdChart = () =>
  vconcat(
    [
      lineChart({
        series: [{ name: 'value', y: [0, 1, 0.5, 4, 0.2, -0.3, 0.1, 0.6] }],
        points: [{ x: 3, y: 4 }],
        pointsLabel: 'flagged',
        xTitle: 'time step t',
        yTitle: 'value',
        widthPx: 240,
        heightPx: 100,
      }),
      lineChart({
        series: [{ name: 'score', y: [0.1, 0.3, 0.2, 5.2, 0.9, 0.4, 0.2, 0.3] }],
        rules: [{ y: 2.5, label: 'threshold 2.50' }],
        xTitle: 'time step t',
        yTitle: 'score σ₁',
        widthPx: 240,
        heightPx: 80,
      }),
    ],
    { title: 'Anomaly score' },
  );

describe('plot specs', () => {
  it('lineChart(logY) leaves out non-positive and non-finite values and keeps series order in the colour domain', () => {
    const spec = lineChart({ series: [{ name: 'b', y: [1, 0, 0.1, Number.NaN] }, { name: 'a', y: [2, 1e-3] }], logY: true, title: 'norms' });
    const layer = (spec.layer as { data: { values: unknown[] }; encoding: { color: { scale: unknown } } }[])[0]!;
    expect(layer.data.values).toEqual([
      { series: 'b', x: 0, y: 1 },
      { series: 'b', x: 2, y: 0.1 },
      { series: 'a', x: 0, y: 2 },
      { series: 'a', x: 1, y: 0.001 },
    ]);
    expect(layer.encoding.color.scale).toEqual({ domain: ['b', 'a'], range: ['#4c78a8', '#f58518'] });
  });

  it('lineChart rejects series whose x and y lengths differ', () => {
    expect(() => lineChart({ series: [{ name: 's', x: [1, 2], y: [1] }] })).toThrow("series 's' has 2 x values and 1 y values");
  });

  it('scatter sorts numeric categories numerically', () => {
    const spec = scatter({ points: ['10', '2', '1'].map((category, i) => ({ x: i, y: i, category })), categoryTitle: 'digit' });
    const encoding = (spec.layer as { encoding: { color: { scale: { domain: string[] } } } }[])[0]!.encoding;
    expect(encoding.color.scale.domain).toEqual(['1', '2', '10']);
  });

  it('specs match their golden JSON (line + threshold + points, scatter, grouped bars)', () => {
    expectGolden('plot/threshold-chart.vl.json', toStableJson(thresholdChart()));
    expectGolden(
      'plot/scatter.vl.json',
      toStableJson(scatter({ points: [{ x: 1, y: 2, category: '0', label: 'β = 1' }, { x: 3, y: 1, category: '1' }], connect: true, title: 'sweep' })),
    );
    expectGolden(
      'plot/bars.vl.json',
      toStableJson(
        barChart({
          bars: [
            { category: 'spike', group: 'rnn', value: 0.9 },
            { category: 'spike', group: 'z-score', value: 0.95 },
            { category: 'flat', group: 'rnn', value: 0.8 },
          ],
          yTitle: 'F1',
          valueDecimals: 2,
        }),
      ),
    );
  });
});

describe('renderChart', () => {
  it('draws a threshold chart as a font-free SVG that matches its golden file, twice the same bytes', async () => {
    const first = await renderChart(thresholdChart());
    await renderChart(lineChart({ series: [{ name: 'other', y: [3, 2, 1] }] }));
    const second = await renderChart(thresholdChart());
    expect(second).toBe(first);
    expect(first).not.toContain('<text');
    expect(first).toContain('<title>Anomaly score</title>');
    expect(first).toContain('aria-label="threshold 2.50"');
    // Every coordinate has at most 2 decimals.
    expect(first.match(/(translate\([^)]*|\sd="[MLHVZ0-9,. -]*)\d\.\d{3}/)).toBeNull();
    expectGolden('plot/threshold-chart.svg', first);
  });

  it('passes vega-lite warnings to options.warn', async () => {
    const warnings: string[] = [];
    await renderChart({ mark: 'point', data: { values: [{ a: 1 }] }, encoding: { x: { field: 'a', type: 'quantitative' }, shape: { field: 'a', type: 'quantitative' } } }, {
      warn: (m) => warnings.push(m),
    });
    expect(warnings.length).toBeGreaterThan(0);
  });
});

describe('glyph text', () => {
  it('measures Computer Modern advance widths: "10" is 2 × 0.5 em', async () => {
    const fonts = await loadGlyphFonts();
    expect(measureText(fonts, '10', 11)).toBeCloseTo(11, 10);
    // A subscript digit is the digit at 70 %.
    expect(measureText(fonts, 'z₁', 10)).toBeCloseTo(measureText(fonts, 'z', 10) + 0.7 * 5, 10);
    // A subscript letter is the math-italic letter at 70 %, lowered: ₜ is 𝑡, as TeX sets h_t (not a missing-glyph box).
    expect(measureText(fonts, 'ₜ', 10)).toBeCloseTo(0.7 * measureText(fonts, '𝑡', 10), 10);
    expect(textOutline(fonts, 'ₜ').d).not.toContain('M60 0V700H540V0Z');
    expect(textOutline(fonts, 'ℎₜ').advance).toBeCloseTo(textOutline(fonts, 'ℎ').advance + 0.7 * textOutline(fonts, '𝑡').advance, 6);
  });

  it('draws a missing character as a visible box, not nothing', async () => {
    const fonts = await loadGlyphFonts();
    expect(textOutline(fonts, '\u4e00').d).toBe('M60 0V700H540V0ZM100 40H500V660H100ZZ');
  });

  it('formatNumber writes 2 decimals and never -0', () => {
    expect([formatNumber(1.005e2), formatNumber(-0.001), formatNumber(30.00000000000003), formatNumber(-2.345)]).toEqual(['100.5', '0', '30', '-2.35']);
  });
});

describe('imageGrid', () => {
  /** Reads back an 8-bit greyscale PNG written by encodeGreyPng (filter 0 only). */
  function decode(png: Uint8Array): { width: number; height: number; pixels: Uint8Array } {
    const view = new DataView(png.buffer, png.byteOffset);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const width = view.getUint32(16);
    const height = view.getUint32(20);
    const idatLength = view.getUint32(33);
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    const pixels = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      expect(raw[y * (width + 1)]).toBe(0);
      pixels.set(raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1)), y * width);
    }
    return { width, height, pixels };
  }

  it('tiles 3 images of 2×1 pixels, 2 a row, scale 1, gap 1, into a 7×5 PNG with the right greys', () => {
    const png = imageGrid([[0, 1], [0.5, 2], [-1, 0.25]], 2, 1, 2, { scale: 1, gapPx: 1 });
    const { width, height, pixels } = decode(png);
    expect([width, height]).toEqual([7, 5]);
    const row = (y: number) => [...pixels.subarray(y * width, (y + 1) * width)];
    expect(row(0)).toEqual([255, 255, 255, 255, 255, 255, 255]);
    expect(row(1)).toEqual([255, 0, 255, 255, 128, 255, 255]);
    expect(row(3)).toEqual([255, 0, 64, 255, 255, 255, 255]);
  });

  it('rejects an image of the wrong size with its index', () => {
    expect(() => imageGrid([[0, 0], [0]], 2, 1, 2)).toThrow('image 1 has 1 values, expected 2×1 = 2');
  });
});

describe('anomaly figures', () => {
  // One small series, scored, with one labelled segment; the charts below add to it.
  const series = {
    channels: [{ name: 'value', values: [0, 1, 0, -1, 0, 5, 0, -1] }],
    scores: [Number.NaN, Number.NaN, 0.5, 0.4, 0.6, 7, 2, 0.5],
    threshold: 1.5,
    flagged: [5, 6],
    labelled: [{ start: 4.5, end: 5.5 }],
    evaluateFrom: 4,
    title: 'detection',
    widthPx: 200,
  };
  const detection = () => detectionChart({ ...series, baseline: { scores: [Number.NaN, Number.NaN, 1, 1, 1, 3, 1, 1], threshold: 2, name: 'z-score' } });

  it('detectionChart stacks series, score and baseline panels (golden JSON); NaN scores are left out', () => {
    const spec = detection();
    expect((spec.vconcat as unknown[]).length).toBe(3);
    expectGolden('plot/detection-chart.vl.json', toStableJson(spec));
  });

  it('detectionChart renders to its golden SVG', async () => {
    expectGolden('plot/detection-chart.svg', await renderChart(detection()));
  });

  // The same chart with the series' timestamps on x: ISO dates (ms since 1970 UTC) or plain numbers.
  const days = [5, 6, 7, 8, 9, 10, 11, 12].map((d) => Date.UTC(2024, 0, d));
  const timed = (time: { kind: 'temporal' | 'quantitative'; values: number[] }, xTitle: string) => detectionChart({ ...series, time, xTitle });
  type Layer = { data: { values: Record<string, unknown>[] }; encoding: { x?: { field?: string; type: string; scale?: { type?: string; domain?: number[] } } } };
  const layersOf = (spec: ReturnType<typeof detectionChart>) => (spec.vconcat as { layer: Layer[] }[]).map((p) => p.layer);

  it('detectionChart puts ISO timestamps on a UTC time axis: every layer, bands and the scored rule between timestamps (golden JSON)', () => {
    const spec = timed({ kind: 'temporal', values: days }, 'date');
    for (const layers of layersOf(spec)) {
      for (const layer of layers.filter((l) => l.encoding.x?.field !== undefined)) {
        expect(layer.encoding.x).toMatchObject({ type: 'temporal', scale: { type: 'utc' } });
      }
    }
    const [series] = layersOf(spec);
    const line = series!.find((l) => l.data.values.some((r) => r.series === 'value'))!;
    expect(line.data.values.map((r) => r.x)).toEqual(days);
    expect(line.encoding.x!.scale!.domain).toEqual([days[0], days[7]]);
    // The labelled step 5 is shaded from half a day before to half a day after; the rule sits on step 4.
    const band = series!.find((l) => 'start' in (l.data.values[0] ?? {}))!;
    expect(band.data.values).toEqual([{ start: Date.UTC(2024, 0, 9, 12), end: Date.UTC(2024, 0, 10, 12), range: '2024-01-09T12:00:00Z to 2024-01-10T12:00:00Z' }]);
    expect(series!.some((l) => l.data.values.length === 1 && l.data.values[0]!.x === days[4])).toBe(true);
    expectGolden('plot/detection-chart-dates.vl.json', toStableJson(spec));
  });

  it('detectionChart puts numeric timestamps on a quantitative axis of those numbers, unrounded', () => {
    const seconds = days.map((ms) => ms / 1000 + 0.5);
    const spec = timed({ kind: 'quantitative', values: seconds }, 'unix time');
    const [series] = layersOf(spec);
    const line = series!.find((l) => l.data.values.some((r) => r.series === 'value'))!;
    expect(line.encoding.x).toMatchObject({ field: 'x', type: 'quantitative', title: 'unix time' });
    expect(line.encoding.x!.scale!.type).toBeUndefined();
    expect(line.data.values.map((r) => r.x)).toEqual(seconds);
    expect(JSON.stringify(spec)).not.toContain('temporal');
  });

  it('a temporal detection chart renders with its dates as tick labels', async () => {
    const svg = await renderChart(timed({ kind: 'temporal', values: days }, 'date'));
    expect(svg).toContain('for a utc scale with values from Friday, 05 January 2024, 12:00:00 AM UTC');
    expect(svg).toMatch(/aria-label="Jan 0?7"/);
  });

  it('trainingChart keeps one colour per run in both panels and stops a diverged run at its last finite epoch', async () => {
    const spec = trainingChart({
      runs: [
        { name: 'clip 1', loss: [1, 0.5, 0.2], gradNormMax: [3, 2, 0.5], appliedNormMean: [1, 1, 0.4] },
        { name: 'no clipping', loss: [1, 40, Number.POSITIVE_INFINITY], gradNormMax: [3, 1e6, Number.NaN] },
      ],
      clip: 1,
    });
    const [loss, gradient] = spec.hconcat as { layer: { data: { values: { series: string; x: number }[] }; encoding: { color?: { scale?: { domain: string[]; range: string[] } } } }[] }[];
    const lossScale = loss!.layer[0]!.encoding.color!.scale!;
    const gradientScale = gradient!.layer[0]!.encoding.color!.scale!;
    expect(lossScale).toEqual({ domain: ['clip 1', 'no clipping'], range: ['#4c78a8', '#e45756'] });
    expect(gradientScale.range).toEqual(['#4c78a8', '#9ecae9', '#e45756']);
    expect(loss!.layer[0]!.data.values.filter((r) => r.series === 'no clipping').map((r) => r.x)).toEqual([1, 2]);
    const svg = await renderChart(spec);
    expect(svg).toContain('aria-label="1e+6"');
  });
});
