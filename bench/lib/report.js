/**
 * Output: one aligned line per metric (value; baseline; ratio or delta; target; PASS or
 * FAIL), then a JSON summary on its own lines for scripts to read.
 */

function formatValue(value, unit) {
  if (!Number.isFinite(value)) return '—';
  if (unit === '/s') return `${Math.round(value)}/s`;
  if (unit === 'B') return `${Math.round(value)} B`;
  if (unit === 'µs' || unit === 'ms') return `${value.toFixed(value < 100 ? 1 : 0)} ${unit}`;
  return `${value.toFixed(1)} ${unit}`;
}

/** The printed line for one result. */
export function formatLine(result) {
  const cols = [result.label.padEnd(36), formatValue(result.value, result.unit).padStart(10)];
  cols.push(
    result.baseline === undefined
      ? ''.padEnd(16)
      : `raw ${formatValue(result.baseline, result.unit)}`.padEnd(16),
  );
  if (result.ratio !== undefined) cols.push(`ratio ${result.ratio.toFixed(2)}`.padEnd(16));
  else if (result.delta !== undefined)
    cols.push(
      `${result.delta >= 0 ? '+' : ''}${formatValue(result.delta, result.unit)}`.padEnd(16),
    );
  else cols.push(''.padEnd(16));
  cols.push(`target ${result.target}`.padEnd(28), result.pass ? 'PASS' : 'FAIL');
  const note = typeof result.detail === 'string' ? `  (${result.detail})` : '';
  return cols.join(' ') + note;
}

/** The JSON summary printed at the end. */
export function summary(results, meta) {
  const round = (n) =>
    typeof n === 'number' && Number.isFinite(n) ? Math.round(n * 100) / 100 : n;
  return {
    ...meta,
    pass: results.every((r) => r.pass),
    metrics: Object.fromEntries(
      results.map((r) => [
        r.key,
        {
          value: round(r.value),
          unit: r.unit,
          ...(r.baseline === undefined ? {} : { baseline: round(r.baseline) }),
          ...(r.ratio === undefined ? {} : { ratio: round(r.ratio) }),
          ...(r.delta === undefined ? {} : { delta: round(r.delta) }),
          target: r.target,
          pass: r.pass,
          ...(r.detail === undefined ? {} : { detail: roundDeep(r.detail, round) }),
        },
      ]),
    ),
  };
}

function roundDeep(value, round) {
  if (Array.isArray(value)) return value.map((v) => roundDeep(v, round));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundDeep(v, round)]));
  return round(value);
}
