/**
 * The side-by-side table (Markdown, so it pastes into a README as is) and the JSON summary.
 */

function formatValue(value, unit) {
  if (!Number.isFinite(value)) return '—';
  if (unit === '/s') return `${Math.round(value)}/s`;
  if (unit === 'MB') return `${value.toFixed(0)} MB`;
  if (unit === 'µs' && value >= 10_000) return `${(value / 1000).toFixed(1)} ms`;
  if (unit === 'ms' && value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  return `${value.toFixed(value < 100 ? 1 : 0)} ${unit}`;
}

/** special-agent ÷ OpenClaw; below 1 also as a fraction ("0.14 (1/7.1)"). */
function formatRatio(ratio) {
  if (!Number.isFinite(ratio)) return '—';
  if (ratio >= 1) return `${ratio.toFixed(2)}×`;
  return `${ratio.toFixed(3)} (1/${(1 / ratio).toFixed(1)})`;
}

/** A Markdown table: metric | special-agent | OpenClaw | ratio (special-agent ÷ OpenClaw). */
export function formatTable(rows) {
  const header = ['metric', 'special-agent', 'OpenClaw', 'ratio (special-agent ÷ OpenClaw)'];
  const body = rows.map((r) => [
    r.label,
    formatValue(r.ours, r.unit),
    formatValue(r.peer, r.unit),
    formatRatio(r.ratio),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}

/** One line per row where a side's handshakes failed (counted, not fatal; see measure.js). */
export function formatNotes(rows, names) {
  const notes = [];
  for (const r of rows) {
    for (const [key, name] of Object.entries(names)) {
      const f = r.detail?.failures?.[key];
      if (f?.failed > 0)
        notes.push(
          `${r.label}: ${name} dropped ${f.failed} of ${f.of} handshakes (${String(f.first).trim()})`,
        );
    }
  }
  return notes.join('\n');
}

/** The JSON summary: every row with its per-round values, rounded. */
export function summary(rows, meta) {
  const round = (n) => (Number.isFinite(n) ? Math.round(n * 1000) / 1000 : n);
  const deep = (value) => {
    if (Array.isArray(value)) return value.map(deep);
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deep(v)]));
    return typeof value === 'number' ? round(value) : value;
  };
  return { ...meta, rows: rows.map(deep) };
}
