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
      "unknown cell 'nosuch' (shipped cells: gru, gru-cho, lstm, lstm-peephole, mgu, rnn, vae-reparam; or give a path to a .cell file)",
    );
  });
});
