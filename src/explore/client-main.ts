// @ts-nocheck -- browser code: the page script is made from this file by src/build/client-script.mjs; the
// project compiles without DOM types, and the browser tests exercise it.
/**
 * Explore stage, the page script's state and events: the step (the last step of the
 * window), the batch element, the view (values or gradient), the focused glyph. Arrays are
 * decoded on first use and only the window's strips are painted, so a long trace costs one
 * decode per value and a frame paints a few dozen strips.
 */

/** Lazily decoded arrays of the page: a value's vector at (t, b), and gradient norm series. */
export function createStore(meta) {
  const cache = new Map();
  const raw = (key) => {
    if (!cache.has(key)) {
      const element = document.getElementById(key);
      const type = element.getAttribute('data-type') || 'f32';
      cache.set(key, decodeArray(element.textContent, type, Number(element.getAttribute('data-divisor') || 1)));
    }
    return cache.get(key);
  };
  const arrays = (id) => {
    const v = meta.values[id];
    return v.previousOf ? { previousOf: raw('gf-v-' + v.previousOf), initial: raw('gf-i-' + id) } : { data: raw('gf-v-' + id) };
  };
  return {
    vector: (id, t, b) => (t >= meta.steps ? null : vectorAt(arrays(id), meta.values[id].size, meta.batch, t, b)),
    series: (id) => (meta.values[id].previousOf ? null : raw('gf-v-' + id)),
    norms: (id) => (meta.gradient && meta.gradient.ids.includes(id) ? raw('gf-g-' + id) : null),
  };
}

/** The time a window position shows, as the frame labels write it: t, t−1, t−2. */
export function positionName(offset) {
  return offset === 0 ? 't' : 't\u2212' + -offset;
}

/** The details panel of a glyph at the current step: equation, values with unit indices, weights feeding it. */
export function showDetails(panel, meta, store, glyph, t, b) {
  const time = t + glyph.offset;
  panel.textContent = '';
  const head = document.createElement('h2');
  head.textContent = meta.labels[glyph.value] + ' at ' + positionName(glyph.offset) + (time >= 0 ? ' = ' + time : ' (before the sequence)') + (meta.batch > 1 ? ', batch element ' + b : '');
  panel.appendChild(head);
  const equation = document.getElementById('gf-eq-' + glyph.statement);
  if (equation) {
    const box = document.createElement('div');
    box.className = 'gf-equation';
    box.appendChild(equation.content.cloneNode(true));
    panel.appendChild(box);
  }
  const vector = store.vector(glyph.value, time, b);
  const norms = store.norms(glyph.value);
  if (norms && time >= 0) {
    const p = document.createElement('p');
    p.className = 'gf-norm';
    p.textContent = meta.gradient.label + ' = ' + formatNorm(norms[time * meta.batch + b]);
    panel.appendChild(p);
  }
  if (vector) panel.appendChild(valueTable(meta, glyph.value, vector));
  const feeding = meta.weights[glyph.statement] || [];
  if (feeding.length && glyph.value === glyph.statement) {
    const list = document.createElement('ul');
    list.className = 'gf-weights';
    list.setAttribute('aria-label', 'weights feeding ' + meta.labels[glyph.value]);
    for (const w of feeding) {
      const item = document.createElement('li');
      item.textContent = w;
      list.appendChild(item);
    }
    const note = document.createElement('p');
    note.textContent = 'Weights feeding it (row u of each matrix feeds unit u):';
    panel.append(note, list);
  }
}

export function valueTable(meta, id, vector) {
  const table = document.createElement('table');
  table.className = 'gf-values';
  const caption = document.createElement('caption');
  caption.textContent = meta.labels[id] + ': ' + vector.length + ' unit' + (vector.length === 1 ? '' : 's');
  table.appendChild(caption);
  const head = table.insertRow();
  for (const name of ['unit', 'value']) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = name;
    head.appendChild(th);
  }
  const scale = meta.scales.find((s) => s.kind === meta.values[id].scale);
  for (let u = 0; u < vector.length; u++) {
    const row = table.insertRow();
    row.setAttribute('data-unit', String(u));
    const unit = document.createElement('th');
    unit.scope = 'row';
    unit.textContent = String(u);
    const cell = row.insertCell();
    const rgb = scaleColour(vector[u], scale, meta.colours);
    cell.style.background = 'rgb(' + rgb.join(',') + ')';
    cell.style.color = inkOn(rgb);
    cell.textContent = formatValue(vector[u]);
    row.prepend(unit);
  }
  return table;
}

/** The small multiples: a units × time canvas per statement, a marker at the step, click to move. */
export function buildMultiples(container, meta, store, onPick) {
  const markers = [];
  for (const id of meta.multiples) {
    const figure = document.createElement('figure');
    figure.className = 'gf-multiple';
    const caption = document.createElement('figcaption');
    const count = (n: number, noun: string) => n + ' ' + noun + (n === 1 ? '' : 's');
    caption.textContent = meta.labels[id] + ' (' + count(meta.values[id].size, 'unit') + ' \u00d7 ' + count(meta.steps, 'step') + ')';
    const wrap = document.createElement('div');
    wrap.className = 'gf-mwrap';
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.min(meta.steps, 900));
    canvas.height = Math.max(12, Math.min(96, meta.values[id].size * 4));
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', meta.labels[id] + ': units by time; click a time to move the diagram there');
    canvas.setAttribute('data-value', id);
    const marker = document.createElement('div');
    marker.className = 'gf-marker';
    wrap.append(canvas, marker);
    figure.append(caption, wrap);
    container.appendChild(figure);
    canvas.addEventListener('click', (e) => {
      const box = canvas.getBoundingClientRect();
      onPick(Math.max(0, Math.min(meta.steps - 1, Math.floor(((e.clientX - box.left) / box.width) * meta.steps))));
    });
    markers.push({ id, canvas, marker });
  }
  return {
    draw(b) {
      for (const m of markers) {
        const scale = meta.scales.find((s) => s.kind === meta.values[m.id].scale);
        drawMultiple(m.canvas, store.series(m.id), meta.steps, meta.batch, meta.values[m.id].size, b, scale, meta.colours);
      }
    },
    mark(t) {
      for (const m of markers) m.marker.style.left = ((t + 0.5) / meta.steps) * 100 + '%';
    },
  };
}
