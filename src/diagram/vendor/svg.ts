/**
 * svgdom and svg.js, the SVG drawing libraries render.ts uses. `npm run build` replaces
 * the compiled copy of this file with one self-contained bundle (src/build/bundle.mjs), in
 * which svgdom's font library (fontkit, about 0.1 s to load) is loaded only if text is
 * measured, which gateflow never does: its labels are paths.
 */
export { createSVGWindow } from 'svgdom';
export { SVG, registerWindow, type Container, type Svg } from '@svgdotjs/svg.js';
