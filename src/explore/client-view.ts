// @ts-nocheck -- browser code: the page script is made from this file by src/build/client-script.mjs; the
// project compiles without DOM types, and the browser tests exercise every line of it.
/**
 * Explore stage, the page script's drawing: the diagram's strips (one canvas over the SVG),
 * numbers, focus ring, legends. Each function uses only its arguments, the other embedded
 * functions (client-core.ts, client-main.ts) and browser globals.
 */

/** The canvas over the diagram, sized to the SVG's box in device pixels; returns the scale from viewBox units. */
export function fitOverlay(svg, canvas) {
  const box = svg.getBoundingClientRect();
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(box.width * ratio));
  const height = Math.max(1, Math.round(box.height * ratio));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  canvas.style.width = box.width + 'px';
  canvas.style.height = box.height + 'px';
  return (box.width * ratio) / svg.viewBox.baseVal.width;
}

/** Paint one strip: a colour per unit (values) or one colour (gradient norm); hatched before the sequence. */
export function paintStrip(ctx, strip, k, colours) {
  const x = strip.x * k, y = strip.y * k, w = strip.width * k, h = strip.height * k;
  if (!colours) {
    ctx.fillStyle = 'rgba(127,127,127,0.25)';
    ctx.fillRect(x, y, w, h);
  } else if (colours.length === 1) {
    ctx.fillStyle = 'rgb(' + colours[0].join(',') + ')';
    ctx.fillRect(x, y, w, h);
  } else {
    const n = colours.length;
    for (let u = 0; u < n; u++) {
      ctx.fillStyle = 'rgb(' + colours[u].join(',') + ')';
      // Cells overlap by a hair so no background shows between them.
      ctx.fillRect(x + (u * w) / n, y, w / n + 0.5, h);
    }
  }
  ctx.lineWidth = Math.max(1, 0.6 * k);
  ctx.strokeRect(x, y, w, h);
}

/** SVG text of each unit's value over a strip, when the units are wide enough to read. */
export function numbersFor(strip, vector, ns) {
  const g = document.createElementNS(ns, 'g');
  g.setAttribute('data-value', strip.value);
  g.setAttribute('data-offset', String(strip.offset));
  const n = vector.length;
  const cell = strip.width / n;
  for (let u = 0; u < n; u++) {
    // Four decimals without the leading zero, shrunk to fit the unit's width.
    const words = formatValue(vector[u]).replace(/^(-?)0\./, '$1.');
    const size = Math.min(6.5, cell / (0.6 * words.length));
    const text = document.createElementNS(ns, 'text');
    text.setAttribute('x', String(strip.x + (u + 0.5) * cell));
    text.setAttribute('y', String(strip.y + strip.height / 2 + size * 0.35));
    text.setAttribute('font-size', String(size));
    text.setAttribute('data-unit', String(u));
    text.setAttribute('class', 'gf-num');
    text.textContent = words;
    g.appendChild(text);
  }
  return g;
}

/** A CSS linear-gradient for a scale's legend, 11 stops. */
export function legendGradient(colourOf) {
  const stops = [];
  for (let i = 0; i <= 10; i++) stops.push('rgb(' + colourOf(i / 10).join(',') + ') ' + i * 10 + '%');
  return 'linear-gradient(90deg, ' + stops.join(', ') + ')';
}

/** The legends: one per kind of value shown, and the gradient's log scale in gradient view. */
export function drawLegends(container, meta, gradientView, largestNorm) {
  container.textContent = '';
  const add = (label, gradient, ticks) => {
    const item = document.createElement('figure');
    item.className = 'gf-legend';
    const bar = document.createElement('div');
    bar.className = 'gf-bar';
    bar.style.background = gradient;
    bar.setAttribute('role', 'img');
    bar.setAttribute('aria-label', label + ': colour scale from ' + ticks[0] + ' to ' + ticks[ticks.length - 1]);
    const caption = document.createElement('figcaption');
    caption.textContent = label;
    const tickRow = document.createElement('div');
    tickRow.className = 'gf-ticks';
    for (const t of ticks) {
      const span = document.createElement('span');
      span.textContent = t;
      tickRow.appendChild(span);
    }
    item.append(caption, bar, tickRow);
    container.appendChild(item);
  };
  if (gradientView) {
    const top = largestNorm > 0 ? largestNorm : 1;
    add(meta.gradient.label, legendGradient((x) => gradientColour(top * Math.pow(10, 6 * (x - 1)), top, meta.colours)), [formatNorm(top * 1e-6), formatNorm(top * 1e-3), formatNorm(top)]);
    return;
  }
  for (const scale of meta.scales) {
    const mid = (scale.min + scale.max) / 2;
    add(scale.label, legendGradient((x) => scaleColour(scale.min + x * (scale.max - scale.min), scale, meta.colours)), [formatTick(scale.min), formatTick(mid), formatTick(scale.max)]);
  }
}

export function formatTick(v) {
  return String(Number(v.toPrecision(3)));
}

/** A dashed rectangle around the focused or hovered glyph (SVG groups draw no CSS outline). */
export function ringAround(svg, element, ns, colour) {
  let ring = svg.getElementById('gf-ring');
  if (!ring) {
    ring = document.createElementNS(ns, 'rect');
    ring.setAttribute('id', 'gf-ring');
    ring.setAttribute('fill', 'none');
    ring.setAttribute('stroke-width', '2.5');
    ring.setAttribute('stroke-dasharray', '5 3');
    ring.setAttribute('pointer-events', 'none');
    svg.appendChild(ring);
  }
  ring.setAttribute('stroke', colour);
  if (!element) {
    ring.setAttribute('visibility', 'hidden');
    return;
  }
  const b = element.getBBox();
  ring.setAttribute('x', String(b.x - 4));
  ring.setAttribute('y', String(b.y - 4));
  ring.setAttribute('width', String(b.width + 8));
  ring.setAttribute('height', String(b.height + 8));
  ring.setAttribute('visibility', 'visible');
}

/** A log-scale line of one value's gradient norm over t, with the current step marked. */
export function drawGradientLine(canvas, series, steps, batch, b, t, colours) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth * ratio, height = canvas.clientHeight * ratio;
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, width, height);
  let top = 0;
  let bottom = Infinity;
  for (let s = 0; s < steps; s++) {
    const v = series[s * batch + b];
    top = Math.max(top, v);
    if (v > 0) bottom = Math.min(bottom, v);
  }
  // The y axis spans the series' own decades, 1 to 12 of them.
  const decades = Math.max(1, Math.min(12, Math.ceil(Math.log10(top / bottom) || 0)));
  const pad = 6 * ratio;
  const yOf = (v) => (v > 0 && top > 0 ? pad + (height - 2 * pad) * Math.min(1, (Math.log10(top) - Math.log10(v)) / decades) : height - pad);
  const xOf = (s) => pad + ((width - 2 * pad) * s) / Math.max(1, steps - 1);
  ctx.strokeStyle = colours.border;
  ctx.lineWidth = ratio;
  ctx.strokeRect(pad, pad, width - 2 * pad, height - 2 * pad);
  ctx.strokeStyle = colours.negative;
  ctx.lineWidth = 1.5 * ratio;
  ctx.beginPath();
  for (let s = 0; s < steps; s++) {
    const x = xOf(s), y = yOf(series[s * batch + b]);
    if (s === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  }
  ctx.stroke();
  ctx.strokeStyle = colours.positive;
  ctx.beginPath();
  ctx.moveTo(xOf(t), pad);
  ctx.lineTo(xOf(t), height - pad);
  ctx.stroke();
  return decades;
}

/** One small multiple: units × time of value `id`, downsampled to the canvas width. */
export function drawMultiple(canvas, data, steps, batch, size, b, scale, colours) {
  const columns = Math.max(1, Math.min(steps, canvas.width));
  const grid = downsample(data, steps, batch, size, b, columns);
  const image = new ImageData(columns, size);
  for (let u = 0; u < size; u++) {
    for (let c = 0; c < columns; c++) {
      const rgb = scaleColour(grid[u * columns + c], scale, colours);
      const at = (u * columns + c) * 4;
      image.data[at] = rgb[0];
      image.data[at + 1] = rgb[1];
      image.data[at + 2] = rgb[2];
      image.data[at + 3] = 255;
    }
  }
  const off = document.createElement('canvas');
  off.width = columns;
  off.height = size;
  off.getContext('2d').putImageData(image, 0, 0);
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, 0, 0, canvas.width, canvas.height);
}
