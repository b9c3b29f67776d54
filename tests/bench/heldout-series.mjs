// Labelled series that are not in nab-dev, for checking detector changes chosen on nab-dev
// (tests/bench/localise.mjs). Seeded, so every run sees the same series. Unlike synthSeries
// (a clean sine), each has what real metrics have: a daily-like season longer than the
// window (period 96 or 144) with a second harmonic, a slowly wandering level, AR(1) noise
// with heavy tails (Student t, 4 degrees of freedom), and in the second half two to four
// anomalies of these kinds:
//   spike    one point 6–10 noise sd away
//   shift    the level moves 3–5 noise sd and stays there
//   dip      30–60 steps at a fifth of the seasonal amplitude (a missing daily peak)
//   burst    20–40 steps whose noise is 4× larger
// Labels are NAB-like windows: from 20 steps before an anomaly's start to 40 after it starts
// (point kinds) or 20 after it ends (segments).
export const HELDOUT_KINDS = ['spike', 'shift', 'dip', 'burst'];

export function heldoutSeries(createRandom, seed, length = 3000) {
  const random = createRandom(seed);
  const period = [96, 144][random.int(2)];
  const amplitude = 1;
  const sd = 0.08 + 0.08 * random.next();
  const t4 = () => {
    // Student t with 4 degrees of freedom, scaled to unit variance.
    let chi = 0;
    for (let k = 0; k < 4; k++) chi += random.normal() ** 2;
    return random.normal() / Math.sqrt(chi / 4) / Math.SQRT2;
  };
  const values = new Float64Array(length);
  const labels = new Uint8Array(length);
  const phase = random.next() * 2 * Math.PI;
  let level = 0;
  let ar = 0;
  const count = 2 + random.int(3);
  const from = Math.floor(length / 2) + 60;
  const gap = Math.floor((length - from - 80) / count);
  const anomalies = Array.from({ length: count }, (_, k) => {
    const kind = HELDOUT_KINDS[random.int(HELDOUT_KINDS.length)];
    const start = from + k * gap + random.int(Math.max(1, gap - 80));
    const size = kind === 'spike' || kind === 'shift' ? 1 : kind === 'dip' ? 30 + random.int(31) : 20 + random.int(21);
    return { kind, start, end: start + size, magnitude: (random.next() < 0.5 ? -1 : 1) * (kind === 'spike' ? 6 + 4 * random.next() : 3 + 2 * random.next()) };
  });
  let shift = 0;
  for (let t = 0; t < length; t++) {
    level += 0.002 * random.normal();
    const a = anomalies.find((x) => t >= x.start && t < x.end);
    const noiseScale = a?.kind === 'burst' ? 4 : 1;
    ar = 0.7 * ar + Math.sqrt(1 - 0.49) * sd * noiseScale * t4();
    for (const x of anomalies) if (x.kind === 'shift' && t === x.start) shift += x.magnitude * sd;
    const seasonScale = a?.kind === 'dip' ? 0.2 : 1;
    const season = amplitude * seasonScale * (Math.sin((2 * Math.PI * t) / period + phase) + 0.3 * Math.sin((4 * Math.PI * t) / period + 2 * phase));
    values[t] = 10 + level + shift + season + ar + (a?.kind === 'spike' ? a.magnitude * sd : 0);
  }
  for (const x of anomalies) {
    const end = x.end - x.start === 1 ? x.start + 40 : x.end + 20;
    labels.fill(1, Math.max(0, x.start - 20), Math.min(length, end));
  }
  return { channels: ['value'], values, length, labels, anomalies, period };
}

// ---------------------------------------------------------------------------------------------
// A second held-out set resembling NAB categories that are not in nab-dev (issue 13: the
// detector is also measured on real series outside that folder). Parameters were written down
// before the detector was run on any of these series and were not changed afterwards.
// Each series is `timestamp,value,label` text as in nab-dev (NAB's "YYYY-MM-DD HH:MM:SS"
// timestamps from 2015-01-01 00:00:00 UTC), labels NAB-like windows: all windows together
// cover 10% of the series (each ⌊0.1·length/count⌋ steps, centred on the event's labelled
// point) and are widened to cover the whole event when it is longer.
//
//   machine-temperature  like realKnownCause/machine_temperature_system_failure: 5-minute steps,
//       8,064 points (28 days; NAB's file has 22,695); level 85 with a slow random walk (sd
//       0.02/step), a daily cycle of amplitude 1.5 (288 steps), AR(1) noise φ 0.9 with
//       innovation sd 0.3. In the second half two incidents, in random order:
//         drift-failure  the level sinks by 10–20 over 300–600 steps (linear), then drops to
//                        25–35 for 60–180 steps (the failure) and comes back; labelled point:
//                        the failure's start; the window is widened to the drift's start.
//         shutdown       the level falls to 20–30 within 6 steps, stays 100–250 steps, comes
//                        back within 6; labelled point: its start.
//   taxi  like realKnownCause/nyc_taxi: half-hourly counts (integers), 10,320 points (215
//       days); a daily shape (48 steps: low at 5 am, peak at 7 pm; two harmonics) times a weekly
//       one (weekends 0.85 with a later morning), level 15,000, multiplicative AR(1) noise φ 0.8,
//       innovation sd 0.03. In the second half two or three events:
//         holiday   one whole day (48 steps) at 0.55–0.7 of normal with the weekend shape
//         storm     12–24 steps at 0.25–0.4 of normal
//         event     6–10 night-time steps (from 1 am) at 1.5–2× normal
//       labelled point: the event's start.
//   aws-cpu  like realAWSCloudwatch ec2_cpu_utilization: 5-minute steps, 4,032 points (14 days),
//       near-constant CPU percentages rounded to integers: level 2, 10 or 40 (by seed), Gaussian
//       noise sd 0.5, and unlabelled single-point blips of +3–6 at 1 point in 400 anywhere
//       (ordinary jobs). In the second half one or two anomalies:
//         spike        1–3 steps at level + 30–55 (at most 100)
//         level-shift  the level moves up 6–15 and stays
//         ramp         over 150–300 steps the level climbs 10–20, then stays
//       labelled point: the anomaly's start.
//   no-anomaly  like artificialNoAnomaly: 4,032 points at 5-minute steps, every label 0. Four
//       variants by seed (1: daily sine, amplitude 20 around 50, no noise; 2: daily square wave
//       0/80; 3: daily sine with noise sd 1; 4: a flat line at 12.5), then seed 5 onwards cycle.
// ---------------------------------------------------------------------------------------------
export const REALLIKE_KINDS = ['machine-temperature', 'taxi', 'aws-cpu', 'no-anomaly'];

const EPOCH_2015 = Date.UTC(2015, 0, 1);
const nabTime = (ms) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/** Labels: one NAB-like window per event, centred on `at`, widened to cover [start, end). */
function nabWindows(length, events) {
  const labels = new Uint8Array(length);
  if (events.length === 0) return labels;
  const width = Math.floor((0.1 * length) / events.length);
  for (const e of events) {
    const from = Math.min(e.start, e.at - Math.floor(width / 2));
    const to = Math.max(e.end, e.at - Math.floor(width / 2) + width);
    labels.fill(1, Math.max(0, from), Math.min(length, to));
  }
  return labels;
}

/** Event starts in the second half, `count` of them, each in its own slot, leaving `room` steps after each. */
function eventStarts(random, length, count, room) {
  const from = Math.floor(length / 2) + 100;
  const slot = Math.floor((length - from - 100) / count);
  return Array.from({ length: count }, (_, k) => from + k * slot + random.int(Math.max(1, slot - room)));
}

function machineTemperature(random, length = 8064) {
  const values = new Float64Array(length);
  const order = random.int(2) === 0 ? ['drift-failure', 'shutdown'] : ['shutdown', 'drift-failure'];
  const starts = eventStarts(random, length, 2, 900);
  const events = order.map((kind, k) => {
    const start = starts[k];
    if (kind === 'shutdown') {
      const hold = 100 + random.int(151);
      return { kind, start, end: start + hold + 12, at: start, low: 20 + 10 * random.next(), hold };
    }
    const drift = 300 + random.int(301);
    const fail = 60 + random.int(121);
    return { kind, start, end: start + drift + fail, at: start + drift, sink: 10 + 10 * random.next(), low: 25 + 10 * random.next(), drift, fail };
  });
  let level = 85;
  let ar = 0;
  for (let t = 0; t < length; t++) {
    level += 0.02 * random.normal();
    ar = 0.9 * ar + 0.3 * random.normal();
    let v = level + 1.5 * Math.sin((2 * Math.PI * t) / 288) + ar;
    for (const e of events) {
      const s = t - e.start;
      if (s < 0 || t >= e.end) continue;
      if (e.kind === 'shutdown') {
        const w = s < 6 ? s / 6 : s < 6 + e.hold ? 1 : Math.max(0, 1 - (s - 6 - e.hold) / 6);
        v = v + w * (e.low - v);
      } else if (s < e.drift) v -= (e.sink * s) / e.drift;
      else v = e.low + 0.5 * ar;
    }
    values[t] = v;
  }
  return { values, events };
}

function taxi(random, length = 10320) {
  const values = new Float64Array(length);
  const count = 2 + random.int(2);
  const starts = eventStarts(random, length, count, 400);
  const events = starts.map((s) => {
    const kind = ['holiday', 'storm', 'event'][random.int(3)];
    if (kind === 'holiday') {
      const start = s - (s % 48);
      return { kind, start, end: start + 48, at: start, factor: 0.55 + 0.15 * random.next() };
    }
    if (kind === 'storm') {
      const size = 12 + random.int(13);
      return { kind, start: s, end: s + size, at: s, factor: 0.25 + 0.15 * random.next() };
    }
    const start = s - (s % 48) + 2;
    return { kind, start, end: start + 6 + random.int(5), at: start, factor: 1.5 + 0.5 * random.next() };
  });
  const shape = (phase, weekend) => {
    const p = weekend ? phase - 2 / 48 : phase; // a later morning at weekends
    return 1 - 0.55 * Math.cos(2 * Math.PI * (p - 19 / 24)) + 0.2 * Math.cos(4 * Math.PI * (p - 19 / 24));
  };
  let ar = 0;
  for (let t = 0; t < length; t++) {
    ar = 0.8 * ar + 0.03 * random.normal();
    const day = Math.floor(t / 48);
    const weekend = day % 7 >= 5;
    const e = events.find((x) => t >= x.start && t < x.end);
    const holiday = e?.kind === 'holiday';
    const base = 15000 * (weekend || holiday ? 0.85 : 1) * shape((t % 48) / 48, weekend || holiday) * (1 + ar);
    values[t] = Math.round(base * (e ? e.factor : 1));
  }
  return { values, events };
}

function awsCpu(random, seed, length = 4032) {
  const values = new Float64Array(length);
  const base = [2, 10, 40][(seed - 1) % 3];
  const count = 1 + random.int(2);
  const starts = eventStarts(random, length, count, 400);
  const events = starts.map((start) => {
    const kind = ['spike', 'level-shift', 'ramp'][random.int(3)];
    if (kind === 'spike') return { kind, start, end: start + 1 + random.int(3), at: start, size: 30 + 25 * random.next() };
    if (kind === 'level-shift') return { kind, start, end: start + 1, at: start, size: 6 + 9 * random.next() };
    return { kind, start, end: start + 150 + random.int(151), at: start, size: 10 + 10 * random.next() };
  });
  for (let t = 0; t < length; t++) {
    let level = base;
    let spike = 0;
    for (const e of events) {
      if (e.kind === 'level-shift' && t >= e.start) level += e.size;
      if (e.kind === 'ramp' && t >= e.start) level += e.size * Math.min(1, (t - e.start) / (e.end - e.start));
      if (e.kind === 'spike' && t >= e.start && t < e.end) spike = e.size;
    }
    const blip = random.int(400) === 0 ? 3 + 3 * random.next() : 0;
    values[t] = Math.min(100, Math.max(0, Math.round(level + spike + blip + 0.5 * random.normal())));
  }
  return { values, events };
}

function noAnomaly(random, seed, length = 4032) {
  const variant = (seed - 1) % 4;
  const values = new Float64Array(length);
  for (let t = 0; t < length; t++) {
    const phase = (2 * Math.PI * t) / 288;
    values[t] = variant === 0 ? 50 + 20 * Math.sin(phase) : variant === 1 ? (t % 288 < 144 ? 80 : 0) : variant === 2 ? 50 + 20 * Math.sin(phase) + random.normal() : 12.5;
  }
  return { values, events: [] };
}

/**
 * One series of a real-like kind (REALLIKE_KINDS) from a seed: { channels, values, length,
 * labels, timestamps, events }, the timestamps at the kind's step from 2015-01-01; `length`
 * replaces the kind's own (the timing runs use NAB's 22,695 points for machine-temperature).
 */
export function reallikeSeries(createRandom, kind, seed, lengthWanted = undefined) {
  const random = createRandom(seed * 7919 + REALLIKE_KINDS.indexOf(kind));
  const made = kind === 'machine-temperature' ? machineTemperature(random, lengthWanted) : kind === 'taxi' ? taxi(random, lengthWanted) : kind === 'aws-cpu' ? awsCpu(random, seed, lengthWanted) : kind === 'no-anomaly' ? noAnomaly(random, seed, lengthWanted) : undefined;
  if (!made) throw new Error(`unknown kind '${kind}' (${REALLIKE_KINDS.join(', ')})`);
  const length = made.values.length;
  const stepMs = (kind === 'taxi' ? 30 : 5) * 60_000;
  const timestamps = Array.from({ length }, (_, t) => nabTime(EPOCH_2015 + t * stepMs));
  return { channels: ['value'], values: made.values, length, labels: nabWindows(length, made.events), timestamps, events: made.events };
}

/** A series as NAB-style CSV text: timestamp,value,label. */
export function reallikeCsv(series) {
  const rows = ['timestamp,value,label'];
  for (let t = 0; t < series.length; t++) rows.push(`${series.timestamps[t]},${Number(series.values[t].toPrecision(8))},${series.labels[t]}`);
  return rows.join('\n') + '\n';
}

/** Seeds per kind in the set README reports: aws-cpu's series are short and its three kinds need more draws; no-anomaly has four variants. */
export const REALLIKE_SEEDS = { 'machine-temperature': 3, taxi: 3, 'aws-cpu': 6, 'no-anomaly': 4 };

// `node tests/bench/heldout-series.mjs write DIR [--seeds N] [--kinds a,b] [--length L]`: the real-like set as CSV
// files named KIND__seedN.csv (REALLIKE_SEEDS per kind, or N of each), for `gateflow rnn benchmark
// --data DIR` (or tests/bench/nab-dev.mjs).
if (process.argv[1] && import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1]).href && process.argv[2] === 'write') {
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const { join, dirname } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const { createRandom } = await import(join(root, 'dist', 'random.js'));
  const args = process.argv.slice(3);
  const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
  const dir = args[0];
  const seeds = option('--seeds', undefined);
  const kinds = option('--kinds', REALLIKE_KINDS.join(',')).split(',');
  const length = option('--length', undefined);
  mkdirSync(dir, { recursive: true });
  for (const kind of kinds) {
    for (let seed = 1; seed <= Number(seeds ?? REALLIKE_SEEDS[kind]); seed++) {
      const series = reallikeSeries(createRandom, kind, seed, length === undefined ? undefined : Number(length));
      writeFileSync(join(dir, `${kind}__seed${seed}.csv`), reallikeCsv(series));
      console.log(`${kind}__seed${seed}.csv: ${series.length} points, ${series.events.map((e) => `${e.kind} at ${e.start}`).join(', ') || 'no anomaly'}`);
    }
  }
}
