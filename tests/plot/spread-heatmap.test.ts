// The two chart additions of the experiments: a shaded spread under a line (the range over
// seeds) and a grid of heat maps on one log colour scale (memory maps).
import { describe, expect, it } from 'vitest';
import { flatPanels, heatmapGrid, lineChart, renderChart } from '../../src/plot/index.js';
import { expectGolden } from '../golden.js';

type Layer = { mark: { type: string }; data: { values: Record<string, unknown>[] } };

describe('lineChart spread', () => {
  it('draws low..high as an area under each line that has one, leaving out rows a log axis cannot show', () => {
    const spec = lineChart({ series: [{ name: 'a', x: [0, 10], y: [1, 0.1], low: [0.5, 0], high: [2, 0.2] }, { name: 'b', y: [3, 4] }], logY: true });
    const layers = spec.layer as Layer[];
    const area = layers.find((l) => l.mark.type === 'area')!;
    expect(area.data.values).toEqual([{ series: 'a', x: 0, low: 0.5, high: 2 }]);
    expect(layers.filter((l) => l.mark.type === 'area').length).toBe(1);
  });
  it('adds no layer without a spread', () => {
    const spec = lineChart({ series: [{ name: 'b', y: [3, 4] }] });
    expect((spec.layer as Layer[]).map((l) => l.mark.type)).toEqual(['line']);
  });
});

describe('heatmapGrid', () => {
  it('puts one rect per positive entry (row r, column c) in each panel, rows of panels stacked, one colour scale', () => {
    const spec = heatmapGrid({
      rows: [[{ title: 'p', values: [1, 0, 0.25, 0.5], n: 2 }], [{ title: 'q', values: [0, 0, 0, 2], n: 2 }]],
      xTitle: 's', yTitle: 't', colorTitle: 'norm',
    });
    const rows = spec.vconcat as { hconcat: Layer[] }[];
    expect(rows[0]!.hconcat[0]!.data.values).toEqual([{ r: 0, c: 0, v: 1 }, { r: 1, c: 0, v: 0.25 }, { r: 1, c: 1, v: 0.5 }]);
    expect(rows[1]!.hconcat[0]!.data.values).toEqual([{ r: 1, c: 1, v: 2 }]);
    expect(spec.resolve).toEqual({ scale: { color: 'shared' } });
    // The legend says the scale is shared.
    expect((rows[0]!.hconcat[0] as unknown as { encoding: { color: { title: string[] } } }).encoding.color.title).toEqual(['norm', 'one scale for all panels']);
  });

  it("colorScale 'panel': each panel its own scale and legend, titled as such (golden SVG: two legends, the two-line titles on two lines)", async () => {
    const spec = heatmapGrid({
      rows: [[{ title: 'fading', values: [1, 0, 1e-20, 1e-10], n: 2 }, { title: 'gated', values: [0.5, 0, 0.2, 0.4], n: 2 }]],
      xTitle: 's', yTitle: 't', colorTitle: '‖∂ℎₜ/∂𝑥ₛ‖', colorScale: 'panel', panelPx: 40,
    });
    expect(spec.resolve).toEqual({ scale: { color: 'independent' } });
    const svg = await renderChart(spec);
    const labels = [...svg.matchAll(/aria-label="([^"]*)"/g)].map((m) => m[1]);
    expect(labels.filter((l) => l.startsWith('‖') || l.startsWith('this'))).toEqual(['‖∂ℎₜ/∂𝑥ₛ‖', 'this panel’s own scale', '‖∂ℎₜ/∂𝑥ₛ‖', 'this panel’s own scale']);
    expectGolden('plot/heatmap-panel.svg', svg);
  }, 60_000);

  it('flatPanels names the panels a shared log scale draws nearly flat (under a quarter of its decades)', () => {
    const fading = { title: 'jordan', values: [1, 1e-20], n: 1 };
    const gated = { title: 'gru', values: [0.3, 1e-4], n: 1 };
    const wide = { title: 'wide', values: [1, 1e-16], n: 1 };
    // Together: 20 decades; gru spans 3.5 (flat), wide 16 (not).
    expect(flatPanels([fading, gated, wide])).toEqual(['gru']);
    expect(flatPanels([gated])).toEqual([]);
    expect(flatPanels([{ title: 'zeros', values: [0, 0], n: 1 }, gated])).toEqual([]);
  });
});
