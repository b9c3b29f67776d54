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
