// min/max that ignore NaN (a failed sample) and say n/a for nothing.
export function min(values: readonly number[]): number {
  const v = values.filter((x) => !Number.isNaN(x));
  return v.length ? Math.min(...v) : Number.NaN;
}

export function max(values: readonly number[]): number {
  const v = values.filter((x) => !Number.isNaN(x));
  return v.length ? Math.max(...v) : Number.NaN;
}
