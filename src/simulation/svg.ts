import type { SimulationReport } from './report.js';

const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd'];
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * SLA compliance per priority, one bar per policy: the question a coordinator asks of a replay.
 * Hand-written SVG (a few rects and texts), readable in any browser and small enough to commit.
 */
export function slaComplianceChart(reports: readonly SimulationReport[]): string {
  const priorities = [...new Set(reports.flatMap((r) => Object.keys(r.priorities)))].sort();
  const width = 640;
  const height = 320;
  const left = 48;
  const top = 40;
  const bottom = 48;
  const plotH = height - top - bottom;
  const groupW = (width - left - 16) / Math.max(1, priorities.length);
  const barW = Math.min(48, (groupW - 16) / Math.max(1, reports.length));
  const y = (share: number) => top + plotH * (1 - share);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">SLA compliance (started by the response due date), by priority and policy</text>`,
  ];
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line x1="${left}" x2="${width - 16}" y1="${y(tick)}" y2="${y(tick)}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 6}" y="${y(tick) + 4}" text-anchor="end">${tick * 100}%</text>`);
  }
  priorities.forEach((p, g) => {
    const x0 = left + g * groupW + (groupW - barW * reports.length) / 2;
    reports.forEach((r, i) => {
      const share = r.priorities[p as keyof SimulationReport['priorities']]?.slaCompliance ?? 0;
      const x = x0 + i * barW;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y(share).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(plotH * share).toFixed(1)}" fill="${COLOURS[i % COLOURS.length]}"><title>${escape(r.policy)} ${p}: ${(share * 100).toFixed(1)}%</title></rect>`,
      );
    });
    parts.push(
      `<text x="${(left + g * groupW + groupW / 2).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle">${escape(p)}</text>`,
    );
  });
  reports.forEach((r, i) => {
    const x = left + i * 140;
    parts.push(`<rect x="${x}" y="${height - 18}" width="12" height="12" fill="${COLOURS[i % COLOURS.length]}"/>`);
    parts.push(`<text x="${x + 16}" y="${height - 8}">${escape(r.policy)}</text>`);
  });
  parts.push('</svg>', '');
  return parts.join('\n');
}
