// @ts-nocheck -- browser code: the page script is made from this file by src/build/client-script.mjs; the
// project compiles without DOM types, and the browser tests exercise it.
/**
 * Explore stage, the page script's entry: wires the controls, the glyphs and the panels to
 * one state and paints on each change. window.gateflowExplorer exposes the state and the
 * paint for the benchmark (frame time); the tests drive the page through its controls.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The page's entry (its script ends by calling it): one state, its painter, and the glyphs and controls wired to them. */
export function explorerMain() {
  const meta = JSON.parse(document.getElementById('gf-meta').textContent);
  const ui = explorerElements();
  const store = createStore(meta);
  const state = { t: Math.min(meta.window - 1, meta.steps - 1), b: 0, view: 'values', glyph: -1, timer: 0 };
  // One object for the page: what every painter and handler below reads and changes.
  const app = { meta, store, state, ui, glyphElements: [], multiples: null, multiplesBatch: -1 };
  app.paint = () => paintExplorer(app);
  app.setStep = (t) => {
    state.t = Math.max(0, Math.min(meta.steps - 1, t));
    app.paint();
  };
  // The figure holds interactive glyphs now, so it is a group rather than one image.
  ui.svg.setAttribute('role', 'group');
  app.glyphElements = meta.glyphs.map((glyph, i) => bindGlyph(app, glyph, i));
  app.multiples = buildMultiples(document.getElementById('gf-multiples'), meta, store, (t) => app.setStep(t));
  bindControls(app);
  window.addEventListener('resize', app.paint);
  window.gateflowExplorer = { state, paint: app.paint, setStep: app.setStep };
  app.paint();
}

/** The page's elements the explorer paints into or listens to. */
export function explorerElements() {
  const byId = (id) => document.getElementById(id);
  return {
    svg: byId('gf-stage').querySelector('svg'),
    overlay: byId('gf-strips'),
    slider: byId('gf-step'),
    play: byId('gf-play'),
    batchSelect: byId('gf-batch'),
    numbers: byId('gf-numbers'),
    details: byId('gf-details'),
  };
}

/** Glyph i as a focusable button that shows its equation and values (null when the figure lacks it). */
export function bindGlyph(app, glyph, i) {
  const { meta, state } = app;
  const el = document.getElementById(glyph.element);
  if (!el) return null;
  el.setAttribute('tabindex', '0');
  el.setAttribute('role', 'button');
  el.setAttribute('aria-label', meta.labels[glyph.value] + ' at ' + positionName(glyph.offset) + ': show its equation and values');
  el.setAttribute('aria-controls', 'gf-details');
  el.classList.add('gf-glyph');
  const pick = () => {
    state.glyph = i;
    if (meta.gradient && meta.gradient.ids.includes(glyph.value)) state.lineValue = glyph.value;
    app.paint();
  };
  el.addEventListener('mouseenter', pick);
  el.addEventListener('focus', pick);
  return el;
}

/** The strips over the figure (values, or gradient norms), and the digits of short vectors. */
export function paintStrips(app) {
  const { meta, store, state } = app;
  const { svg, overlay, numbers } = app.ui;
  const k = fitOverlay(svg, overlay);
  const ctx = overlay.getContext('2d');
  ctx.clearRect(0, 0, overlay.width, overlay.height);
  ctx.strokeStyle = meta.colours.border;
  const old = svg.getElementById ? svg.getElementById('gf-number-layer') : null;
  if (old) old.remove();
  const layer = document.createElementNS(SVG_NS, 'g');
  layer.setAttribute('id', 'gf-number-layer');
  layer.setAttribute('aria-hidden', 'true');
  for (const strip of meta.strips) {
    const time = state.t + strip.offset;
    if (state.view === 'gradient') {
      const norms = store.norms(strip.value);
      const ok = norms && time >= 0;
      paintStrip(ctx, strip, k, ok ? [gradientColour(norms[time * meta.batch + state.b], state.largestNorm, meta.colours)] : null);
      continue;
    }
    const vector = store.vector(strip.value, time, state.b);
    const scale = meta.scales.find((s) => s.kind === meta.values[strip.value].scale);
    paintStrip(ctx, strip, k, vector ? Array.from(vector, (v) => scaleColour(v, scale, meta.colours)) : null);
    // Past 6 units the digits would be too small to read; the panel lists every unit (the label says so).
    if (vector && numbers.checked && vector.length <= 6) layer.appendChild(numbersFor(strip, vector, SVG_NS));
  }
  svg.appendChild(layer);
}

/** Paints the whole page for the state: step readout, strips, legends, focus ring, panel, small multiples, gradient line. */
export function paintExplorer(app) {
  const { meta, store, state, ui } = app;
  const byId = (id) => document.getElementById(id);
  const started = performance.now();
  ui.slider.value = String(state.t);
  const first = Math.max(0, state.t - meta.window + 1);
  const text = 't = ' + state.t + (first < state.t ? ' (window ' + first + '\u2013' + state.t + ')' : '');
  byId('gf-step-out').textContent = text;
  ui.slider.setAttribute('aria-valuetext', text + ' of ' + meta.steps + ' steps');
  if (meta.gradient) state.largestNorm = largestNorm(meta, store, state.b);
  paintStrips(app);
  drawLegends(byId('gf-legends'), meta, state.view === 'gradient', state.largestNorm);
  const glyph = meta.glyphs[state.glyph];
  ringAround(ui.svg, app.glyphElements[state.glyph] || null, SVG_NS, meta.colours.focus);
  if (glyph) showDetails(ui.details, meta, store, glyph, state.t, state.b);
  if (app.multiplesBatch !== state.b) {
    app.multiplesBatch = state.b;
    app.multiples.draw(state.b);
  }
  app.multiples.mark(state.t);
  if (meta.gradient) {
    const id = state.lineValue || meta.gradient.output;
    const decades = drawGradientLine(byId('gf-grad-line'), store.norms(id), meta.steps, meta.batch, state.b, state.t, meta.colours);
    byId('gf-grad-caption').textContent = meta.gradient.label.replace('\u00b7', meta.labels[id]) + ' over t (log scale, ' + decades + ' decade' + (decades === 1 ? '' : 's') + ' top to bottom)';
  }
  state.frameMs = performance.now() - started;
}

/** The step slider, Play/Pause, the batch and view choices, the digits box and the step keys. */
export function bindControls(app) {
  const { meta, state } = app;
  const { slider, play, batchSelect, numbers } = app.ui;
  const stop = () => {
    clearInterval(state.timer);
    state.timer = 0;
    play.textContent = 'Play';
    play.setAttribute('aria-pressed', 'false');
  };
  slider.addEventListener('input', () => app.setStep(Number(slider.value)));
  play.addEventListener('click', () => {
    if (state.timer) return stop();
    if (state.t >= meta.steps - 1) app.setStep(0);
    play.textContent = 'Pause';
    play.setAttribute('aria-pressed', 'true');
    state.timer = setInterval(() => (state.t >= meta.steps - 1 ? stop() : app.setStep(state.t + 1)), 250);
  });
  if (batchSelect) batchSelect.addEventListener('change', () => ((state.b = Number(batchSelect.value)), app.paint()));
  numbers.addEventListener('change', app.paint);
  for (const radio of document.querySelectorAll('input[name="gf-view"]')) radio.addEventListener('change', () => ((state.view = radio.value), app.paint()));
  document.addEventListener('keydown', (e) => stepByKey(app, e));
}

/** Arrow keys, Page Up/Down, Home and End move the step, unless a form control has the focus (a focused slider already steps on ArrowRight). */
export function stepByKey(app, e) {
  if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement || e.target instanceof HTMLButtonElement) return;
  const moves = { ArrowRight: 1, ArrowLeft: -1, PageUp: 10, PageDown: -10 };
  if (e.key in moves) app.setStep(app.state.t + moves[e.key]);
  else if (e.key === 'Home') app.setStep(0);
  else if (e.key === 'End') app.setStep(app.meta.steps - 1);
  else return;
  e.preventDefault();
}

/** The largest gradient norm over every drawn value and step of batch element b (the gradient scale's top). */
export function largestNorm(meta, store, b) {
  let top = 0;
  for (const id of meta.gradient.ids) {
    const norms = store.norms(id);
    for (let t = 0; t < meta.steps; t++) top = Math.max(top, norms[t * meta.batch + b]);
  }
  return top;
}
