import { describe, expect, it } from 'vitest';
import * as gateflow from '../src/index.js';

describe('library entry', () => {
  it('loads a shipped cell by name and exposes the stage namespaces', () => {
    const gru = gateflow.loadCell('gru');
    expect(gru.name).toBe('gru');
    expect(gru.params.map((p) => p.name)).toHaveLength(12);
    expect(gateflow.toText(gru).split('\n')[0]).toBe('r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)');
    expect(typeof gateflow.cell.parseCell).toBe('function');
    expect(typeof gateflow.io.writeFileAtomic).toBe('function');
  });

  it('an unknown cell name is a GateflowError with the list of shipped cells', () => {
    expect(() => gateflow.loadCell('nosuch')).toThrow(gateflow.GateflowError);
    expect(() => gateflow.loadCell('nosuch')).toThrow(
      "unknown cell 'nosuch' (shipped cells: antisymmetric, gru, gru-cho, janet, lstm, lstm-peephole, mgu, olah-lstm, qrnn, rnn, vae-reparam; or give a path to a .cell file)",
    );
  });

  it('exposes every stage by name, and a trace runs from the top-level API', () => {
    expect(typeof gateflow.diagram.diagram).toBe('function');
    expect(typeof gateflow.engine.compile).toBe('function');
    expect(typeof gateflow.train.vae.createVae).toBe('function');
    expect(typeof gateflow.train.anomaly.detect).toBe('function');
    expect(typeof gateflow.plot.renderChart).toBe('function');
    // One step of the vanilla RNN with hand-set weights: h = tanh(W_ih x + b_ih + W_hh h0 + b_hh).
    const rnn = gateflow.loadCell('rnn');
    const names = rnn.params.map((p) => p.name).sort();
    expect(names).toEqual(['W_hh', 'W_ih', 'b_hh', 'b_ih']);
    const weights = { W_ih: [[0.5, -1]], W_hh: [[2]], b_ih: [0.1], b_hh: [-0.2] };
    const result = gateflow.trace.trace(rnn, weights, [[1, 2]], { initial: { h: [0.25] } });
    const h = result.steps[0]!.values['h']!;
    // 0.5*1 - 1*2 + 0.1 + 2*0.25 - 0.2 = -1.1 (tolerance 1e-12)
    expect(h[0]![0]).toBeCloseTo(Math.tanh(-1.1), 12);
  });
});

