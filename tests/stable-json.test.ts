import { describe, expect, it } from 'vitest';
import { toStableJson } from '../src/stable-json.js';

describe('toStableJson', () => {
  it('toStableJson sorts keys at every level and turns typed arrays into lists', () => {
    expect(toStableJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: Float64Array.from([0.5]) } })).toBe(
      '{\n  "a": {\n    "c": [\n      0.5\n    ],\n    "d": [\n      2,\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n',
    );
  });

  it('writes one line with indent 0 and one-space indentation with indent 1', () => {
    expect(toStableJson({ b: [1, 2], a: 'x' }, 0)).toBe('{"a":"x","b":[1,2]}\n');
    expect(toStableJson({ b: 1, a: 2 }, 1)).toBe('{\n "a": 2,\n "b": 1\n}\n');
  });
});
