/**
 * Colour arithmetic shared by the renderers: blending two #rrggbb colours, and a theme's
 * faded twin (every colour blended into the background) for the parts a walkthrough frame
 * or a highlight leaves as context.
 */
import type { Theme } from './theme.js';

/** How far a faded part's colours move toward the background. */
export const FADE_TOWARD_BACKGROUND = 0.8;

/** `a` moved a fraction `t` of the way to `b`, both #rrggbb. */
export function mixColour(a: string, b: string, t: number): string {
  const channel = (hex: string, i: number) => parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16);
  const out = [0, 1, 2].map((i) => Math.round(channel(a, i) + (channel(b, i) - channel(a, i)) * t));
  return `#${out.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** The theme with every colour blended into its background: a faded part, still legible as context. */
export function fadedTheme(theme: Theme): Theme {
  const blend = (value: unknown): unknown => {
    if (typeof value === 'string' && /^#[0-9a-fA-F]{6}$/.test(value)) return mixColour(value, theme.background, FADE_TOWARD_BACKGROUND);
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, blend(v)]));
    return value;
  };
  return { ...(blend(theme) as Theme), background: theme.background };
}
