// Draws the benchmark's figures as one SVG (bench/results.svg, shown in the README): a row per
// measure, a bar per contender scaled to that row's slowest, the figure beside each bar, and the
// ratio the target is about with its bound.

/** One measure: contenders' figures in the same unit, and the ratio that has a target. */
export interface ChartRow {
  measure: string;
  unit: string;
  bars: { contender: string; value: number }[];
  ratio: { label: string; value: number; target: string; met: boolean } | null;
}

const colours: Record<string, string> = {
  'sw-outbox': '#3b5bdb',
  Workbox: '#c98a00',
  floor: '#8a94a6',
};

const rowHeight = 26;
const labelWidth = 250;
const barWidth = 360;
const width = labelWidth + barWidth + 140;

function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function colourOf(contender: string): string {
  return colours[contender] ?? colours.floor!;
}

/** The chart of `rows`, titled; plain SVG text, no script, no external reference. */
export function drawChart(title: string, rows: ChartRow[]): string {
  const parts: string[] = [];
  let y = 48;
  for (const row of rows) {
    const slowest = Math.max(...row.bars.map((bar) => bar.value), Number.EPSILON);
    parts.push(`<text x="12" y="${y + 14}" font-weight="600">${escape(row.measure)}</text>`);
    if (row.ratio) {
      const colour = row.ratio.met ? '#1f8a4c' : '#c92a2a';
      parts.push(
        `<text x="${labelWidth}" y="${y + 14}" fill="${colour}">${escape(`${row.ratio.label} ${row.ratio.value.toFixed(2)} (target ${row.ratio.target}) ${row.ratio.met ? 'met' : 'missed'}`)}</text>`,
      );
    }
    y += rowHeight - 6;
    for (const bar of row.bars) {
      const length = Math.max(1, (bar.value / slowest) * barWidth);
      parts.push(`<text x="24" y="${y + 13}" fill="#55607a">${escape(bar.contender)}</text>`);
      parts.push(`<rect x="${labelWidth}" y="${y + 2}" width="${length.toFixed(1)}" height="14" rx="2" fill="${colourOf(bar.contender)}"/>`);
      parts.push(`<text x="${labelWidth + length + 6}" y="${y + 13}">${escape(`${bar.value >= 100 ? bar.value.toFixed(0) : bar.value.toFixed(2)} ${row.unit}`)}</text>`);
      y += rowHeight - 6;
    }
    y += 12;
  }
  const height = y + 12;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="26" font-size="16" font-weight="700">${escape(title)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
