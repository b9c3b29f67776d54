/**
 * JSON with object keys sorted at every level, so the same data always gives the same bytes
 * (architecture.md 3.4). Typed arrays are written as plain arrays. Shared by every stage that
 * writes JSON files; like random.ts, it imports nothing of ours.
 */
export function toStableJson(value: unknown, indent = 2): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  // indent 0: one line.
  return JSON.stringify(sort(value), null, indent || undefined) + '\n';
}
