/**
 * The MathJax modules labels.ts uses (TeX in, SVG out). `npm run build` replaces the
 * compiled copy of this file with a loader of one self-contained bundle, compiled from a
 * V8 code cache (src/build/bundle.mjs): one file instead of about 220 CommonJS modules,
 * each resolved, read and compiled on its own.
 */
export { mathjax } from 'mathjax-full/js/mathjax.js';
export { TeX } from 'mathjax-full/js/input/tex.js';
export { SVG } from 'mathjax-full/js/output/svg.js';
export { liteAdaptor } from 'mathjax-full/js/adaptors/liteAdaptor.js';
export { RegisterHTMLHandler } from 'mathjax-full/js/handlers/html.js';
import 'mathjax-full/js/input/tex/base/BaseConfiguration.js';
import 'mathjax-full/js/input/tex/ams/AmsConfiguration.js';
