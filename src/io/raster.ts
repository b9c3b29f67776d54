/**
 * SVG → PNG with resvg (a Rust renderer shipped as a prebuilt npm binary).
 * Loaded lazily: only commands that write PNG pay for it.
 */
import { createRequire } from 'node:module';

export interface PngOptions {
  /** Pixels per SVG user unit (2 gives a crisp image on slides). */
  readonly scale?: number;
  /** CSS colour for the background, or undefined for transparent. */
  readonly background?: string;
}

export function svgToPng(svg: string, options: PngOptions = {}): Uint8Array {
  const { Resvg } = createRequire(import.meta.url)('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: options.scale ?? 2 },
    background: options.background,
    font: { loadSystemFonts: false },
  });
  return new Uint8Array(resvg.render().asPng());
}
