// The statistics page's charts, drawn with uPlot (/vendor/uplot.js) from the page's #stats-data
// block. The page stands without them: each chart's numbers are in the table under it.
(function () {
  'use strict';
  const block = document.getElementById('stats-data');
  if (!block || typeof uPlot === 'undefined') return;
  const data = JSON.parse(block.textContent || '{}');
  // At least 3:1 against white (WCAG 1.4.11, graphical objects), and told apart by more than hue alone.
  const COLORS = ['#0b57d0', '#b3261e', '#1e6b35', '#8a5300', '#6a1b9a', '#00696b'];
  const HEIGHT = 260;
  const count = new Intl.NumberFormat(data.lang);
  const share = new Intl.NumberFormat(data.lang, { maximumFractionDigits: 1 });

  function formatValue(value, unit) {
    if (value === null || value === undefined) return '—';
    if (unit === 'percent') return share.format(value) + ' %';
    if (unit === 'hours') return share.format(value) + ' h';
    return count.format(value);
  }

  // Month and day names in the page's language for the time axes (uPlot's own are English).
  function names() {
    const months = (style) =>
      Array.from({ length: 12 }, (_, m) =>
        new Intl.DateTimeFormat(data.lang, { month: style, timeZone: 'UTC' }).format(Date.UTC(2024, m, 1)),
      );
    const days = (style) =>
      Array.from({ length: 7 }, (_, d) =>
        new Intl.DateTimeFormat(data.lang, { weekday: style, timeZone: 'UTC' }).format(Date.UTC(2024, 0, 7 + d)),
      );
    return { MMMM: months('long'), MMM: months('short'), WWWW: days('long'), WWW: days('short') };
  }
  const dateNames = names();
  // The points are days or weeks: the time axis steps by whole days, labelled as the desk reads a date.
  const DAY = 86400;
  const DAY_STEPS = [DAY, 2 * DAY, 7 * DAY, 14 * DAY, 28 * DAY, 91 * DAY, 182 * DAY];
  const dayLabel = new Intl.DateTimeFormat(data.lang, { day: 'numeric', month: 'short', timeZone: data.timezone });

  // The series as drawn. Bars of several series (the backlog's priorities) are stacked: each layer
  // shows the running total up to it, the tallest drawn first, so every segment stays visible.
  function layersOf(spec) {
    const layers = spec.series.map((serie, i) => ({
      label: serie.label,
      color: COLORS[i % COLORS.length],
      raw: serie.values,
      shown: serie.values,
    }));
    if (spec.type === 'time' || layers.length < 2) return layers;
    let below = spec.x.map(() => 0);
    for (const layer of layers) {
      layer.shown = layer.raw.map((v, i) => (below[i] += v || 0));
      below = layer.shown.slice();
    }
    return layers.reverse();
  }

  function options(spec, layers, width) {
    const time = spec.type === 'time';
    const bars = time ? null : uPlot.paths.bars({ size: [0.6, 80] });
    return {
      width,
      height: HEIGHT,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), data.timezone),
      fmtDate: (template) => uPlot.fmtDate(template, dateNames),
      scales: {
        x: time ? { time: true } : { time: false, range: () => [-0.5, spec.x.length - 0.5] },
        y: { range: (_u, _min, max) => [0, Math.max(spec.unit === 'percent' ? 100 : 1, max || 0) * 1.05] },
      },
      axes: [
        time
          ? { incrs: DAY_STEPS, space: 60, values: (_u, splits) => splits.map((ts) => dayLabel.format(new Date(ts * 1000))) }
          : { splits: () => spec.x, values: (_u, splits) => splits.map((i) => spec.ticks[i] || ''), grid: { show: false } },
        { size: 64, values: (_u, splits) => splits.map((v) => formatValue(v, spec.unit)) },
      ],
      series: [{ label: spec.column, value: (_u, v) => (v === null ? '—' : spec.ticks[spec.x.indexOf(v)] || '') }].concat(
        layers.map((layer, i) => ({
          label: layer.label,
          stroke: layer.color,
          fill: time ? undefined : layer.color,
          width: time ? 2 : 1,
          dash: time && i % 2 === 1 ? [6, 3] : undefined,
          paths: bars || undefined,
          points: { show: time && spec.x.length <= 45 },
          // The legend tells a layer's own number, not the running total it is drawn at.
          value: (u, _v, _serie, idx) => formatValue(idx === null || idx === undefined ? null : layer.raw[idx], spec.unit),
        })),
      ),
    };
  }

  const drawn = [];
  for (const spec of data.charts || []) {
    const place = document.querySelector('[data-chart="' + spec.id + '"]');
    if (!place || spec.x.length === 0) continue;
    const layers = layersOf(spec);
    const chart = new uPlot(options(spec, layers, Math.max(280, place.clientWidth)), [spec.x].concat(layers.map((l) => l.shown)), place);
    drawn.push({ chart, place });
  }

  let pending = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => {
      for (const { chart, place } of drawn) chart.setSize({ width: Math.max(280, place.clientWidth), height: HEIGHT });
    });
  });
})();
