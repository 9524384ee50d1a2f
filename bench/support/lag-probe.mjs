// Loaded into the gateway under soak with `node --import` (bench/support/gateway-process.ts). Plain
// JavaScript on purpose: it must load before, and without, whatever runs the gateway (tsx or the
// compiled dist/), and change nothing else in that process.
//
// It measures event-loop lag as the time a 10 ms timer fires past its due time, into two
// histograms: one per window (between two reads) and one per phase (idle, warm-up, soak, drain), so
// that a phase's p99 is exact rather than an average of windows. The soak asks for a read with
// SIGUSR2 after writing `<file>.control` ({phase, gc}); the answer is written to `<file>`.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createHistogram, performance } from 'node:perf_hooks';

const file = process.env.HELPDESK_SOAK_PROBE;
// Children of the gateway (none are Node today) must not write to the same file.
delete process.env.HELPDESK_SOAK_PROBE;

if (file) {
  const INTERVAL_MS = 10;
  const window = createHistogram();
  const phase = createHistogram();
  let due = performance.now() + INTERVAL_MS;
  const tick = () => {
    const now = performance.now();
    // Nanoseconds, at least 1: a histogram records positive integers only.
    const lagNs = Math.max(1, Math.round((now - due) * 1e6));
    window.record(lagNs);
    phase.record(lagNs);
    due = performance.now() + INTERVAL_MS;
    setTimeout(tick, INTERVAL_MS).unref();
  };
  setTimeout(tick, INTERVAL_MS).unref();

  const stats = (h) =>
    h.count === 0
      ? { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 }
      : {
          count: h.count,
          p50: h.percentile(50) / 1e6,
          p90: h.percentile(90) / 1e6,
          p99: h.percentile(99) / 1e6,
          p999: h.percentile(99.9) / 1e6,
          max: h.max / 1e6,
          mean: h.mean / 1e6,
        };

  let current = null;
  let seq = 0;
  process.on('SIGUSR2', () => {
    const control = JSON.parse(readFileSync(`${file}.control`, 'utf8'));
    const answer = { seq: ++seq, at: Date.now(), window: stats(window), closed: null, heapAfterGc: null, memory: null };
    window.reset();
    if (control.phase !== current) {
      answer.closed = { phase: current, ...stats(phase) };
      phase.reset();
      current = control.phase;
    }
    // A full collection before reading the heap, so that start and end compare live objects only.
    if (control.gc && typeof globalThis.gc === 'function') {
      globalThis.gc();
      answer.heapAfterGc = process.memoryUsage().heapUsed;
    }
    answer.memory = process.memoryUsage();
    writeFileSync(`${file}.tmp`, JSON.stringify(answer));
    renameSync(`${file}.tmp`, file);
  });
}
