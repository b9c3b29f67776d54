// @ts-nocheck -- browser code: the page script is made from this file by src/build/client-script.mjs; the
// project compiles without DOM types, and the browser tests exercise it.
/**
 * Explore stage, the page script's entry: wires the controls, the glyphs and the panels to
 * one state and paints on each change. window.gateflowExplorer exposes the state and the
 * paint for the benchmark (frame time); the tests drive the page through its controls.
 */

export function explorerMain() {
  const ns = 'http://www.w3.org/2000/svg';
  const meta = JSON.parse(document.getElementById('gf-meta').textContent);
  const byId = (id) => document.getElementById(id);
  const svg = byId('gf-stage').querySelector('svg');
  const overlay = byId('gf-strips');
  const slider = byId('gf-step');
  const play = byId('gf-play');
  const batchSelect = byId('gf-batch');
  const numbers = byId('gf-numbers');
  const details = byId('gf-details');
  const store = createStore(meta);
  const state = { t: Math.min(meta.window - 1, meta.steps - 1), b: 0, view: 'values', glyph: -1, timer: 0 };

  // The figure holds interactive glyphs now, so it is a group rather than one image.
  svg.setAttribute('role', 'group');
  const glyphElements = meta.glyphs.map((glyph, i) => {
    const el = byId(glyph.element);
    if (!el) return null;
    el.setAttribute('tabindex', '0');
    el.setAttribute('role', 'button');
    el.setAttribute('aria-label', meta.labels[glyph.value] + ' at ' + positionName(glyph.offset) + ': show its equation and values');
    el.setAttribute('aria-controls', 'gf-details');
    el.classList.add('gf-glyph');
    const pick = () => {
      state.glyph = i;
      if (meta.gradient && meta.gradient.ids.includes(glyph.value)) state.lineValue = glyph.value;
      paint();
    };
    el.addEventListener('mouseenter', pick);
    el.addEventListener('focus', pick);
    return el;
  });

  const multiples = buildMultiples(byId('gf-multiples'), meta, store, (t) => setStep(t));
  let multiplesBatch = -1;

  function paintStrips() {
    const k = fitOverlay(svg, overlay);
    const ctx = overlay.getContext('2d');
    ctx.clearRect(0, 0, overlay.width, overlay.height);
    ctx.strokeStyle = meta.colours.border;
    const old = svg.getElementById ? svg.getElementById('gf-number-layer') : null;
    if (old) old.remove();
    const layer = document.createElementNS(ns, 'g');
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
      if (vector && numbers.checked && vector.length <= 6) layer.appendChild(numbersFor(strip, vector, ns));
    }
    svg.appendChild(layer);
  }

  function paint() {
    const started = performance.now();
    slider.value = String(state.t);
    const first = Math.max(0, state.t - meta.window + 1);
    const text = 't = ' + state.t + (first < state.t ? ' (window ' + first + '\u2013' + state.t + ')' : '');
    byId('gf-step-out').textContent = text;
    slider.setAttribute('aria-valuetext', text + ' of ' + meta.steps + ' steps');
    if (meta.gradient) state.largestNorm = largestNorm(meta, store, state.b);
    paintStrips();
    drawLegends(byId('gf-legends'), meta, state.view === 'gradient', state.largestNorm);
    const glyph = meta.glyphs[state.glyph];
    ringAround(svg, glyphElements[state.glyph] || null, ns, meta.colours.focus);
    if (glyph) showDetails(details, meta, store, glyph, state.t, state.b);
    if (multiplesBatch !== state.b) {
      multiplesBatch = state.b;
      multiples.draw(state.b);
    }
    multiples.mark(state.t);
    if (meta.gradient) {
      const id = state.lineValue || meta.gradient.output;
      const decades = drawGradientLine(byId('gf-grad-line'), store.norms(id), meta.steps, meta.batch, state.b, state.t, meta.colours);
      byId('gf-grad-caption').textContent = meta.gradient.label.replace('\u00b7', meta.labels[id]) + ' over t (log scale, ' + decades + ' decade' + (decades === 1 ? '' : 's') + ' top to bottom)';
    }
    state.frameMs = performance.now() - started;
  }

  function setStep(t) {
    state.t = Math.max(0, Math.min(meta.steps - 1, t));
    paint();
  }

  function stop() {
    clearInterval(state.timer);
    state.timer = 0;
    play.textContent = 'Play';
    play.setAttribute('aria-pressed', 'false');
  }

  slider.addEventListener('input', () => setStep(Number(slider.value)));
  play.addEventListener('click', () => {
    if (state.timer) return stop();
    if (state.t >= meta.steps - 1) setStep(0);
    play.textContent = 'Pause';
    play.setAttribute('aria-pressed', 'true');
    state.timer = setInterval(() => (state.t >= meta.steps - 1 ? stop() : setStep(state.t + 1)), 250);
  });
  if (batchSelect) batchSelect.addEventListener('change', () => ((state.b = Number(batchSelect.value)), paint()));
  numbers.addEventListener('change', paint);
  for (const radio of document.querySelectorAll('input[name="gf-view"]')) radio.addEventListener('change', () => ((state.view = radio.value), paint()));
  document.addEventListener('keydown', (e) => {
    // Form controls move themselves (a focused slider already steps on ArrowRight).
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement || e.target instanceof HTMLButtonElement) return;
    const moves = { ArrowRight: 1, ArrowLeft: -1, PageUp: 10, PageDown: -10 };
    if (e.key in moves) setStep(state.t + moves[e.key]);
    else if (e.key === 'Home') setStep(0);
    else if (e.key === 'End') setStep(meta.steps - 1);
    else return;
    e.preventDefault();
  });
  window.addEventListener('resize', paint);
  window.gateflowExplorer = { state, paint, setStep };
  paint();
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
