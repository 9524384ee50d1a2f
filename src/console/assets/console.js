// The console's live layer, on top of pages that work without it: one EventSource for the ticket
// stream, regions re-fetched when something changes, countdowns that tick, keyboard shortcuts.
// Plain ES2020, loaded with `defer`; no framework and no build step.
'use strict';

(function () {
  const status = document.getElementById('live-status');
  const regions = () => Array.from(document.querySelectorAll('[data-live]'));

  function setStatus(state) {
    if (!status) return;
    status.dataset.state = state;
    status.textContent = state === 'open' ? status.dataset.liveText : status.dataset.lostText;
  }

  // Several events often come at once (an offer is three of them): one refresh per burst. A region
  // about one ticket (data-live-ticket) is fetched again only when that ticket changed; null in
  // `changed` means "anything may have changed" (the stream has just (re)opened).
  let refreshTimer = null;
  let changed = new Set();
  function scheduleRefresh(ticketId) {
    if (changed !== null) changed = ticketId === null ? null : changed.add(ticketId);
    if (refreshTimer !== null) return;
    refreshTimer = setTimeout(() => {
      const these = changed;
      refreshTimer = null;
      changed = new Set();
      regions()
        .filter((region) => these === null || !region.dataset.liveTicket || these.has(region.dataset.liveTicket))
        .forEach(refreshRegion);
    }, 150);
  }

  function ticketOf(event) {
    try {
      return String(JSON.parse(event.data).ticketId);
    } catch {
      return null;
    }
  }

  async function refreshRegion(element) {
    const id = element.dataset.live;
    // A region the user is typing in stays as it is; it catches up at the next event.
    if (element.contains(document.activeElement) && document.activeElement.matches('input, textarea, select')) return;
    try {
      const answer = await fetch(window.location.href, {
        headers: { 'X-Console-Fragment': id },
        credentials: 'same-origin',
      });
      if (!answer.ok) return;
      element.innerHTML = await answer.text();
      tickCountdowns();
      element.dispatchEvent(new CustomEvent('console:refreshed', { bubbles: true }));
    } catch {
      // The stream's own reconnect tells the user the connection is lost.
    }
  }

  function connect() {
    if (!status || !('EventSource' in window) || regions().length === 0) {
      if (status) status.hidden = regions().length === 0;
      return;
    }
    const source = new EventSource('/api/stream');
    source.addEventListener('open', () => {
      setStatus('open');
      // Whatever happened while the connection was down: the server replays it by Last-Event-ID,
      // but a refresh now also catches changes made before this page subscribed.
      scheduleRefresh(null);
    });
    source.addEventListener('ticket', (event) => scheduleRefresh(ticketOf(event)));
    source.addEventListener('error', () => setStatus('lost'));
  }

  // Countdowns: <time data-countdown datetime="ISO"> shows the time left, or how long overdue.
  const lang = document.documentElement.lang === 'fr' ? 'fr' : 'en';
  const words = lang === 'fr' ? { in: 'dans', overdue: 'en retard de' } : { in: 'in', overdue: 'overdue by' };
  function spoken(seconds) {
    const s = Math.abs(Math.round(seconds));
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    const parts = [];
    if (d) parts.push(d + (lang === 'fr' ? ' j' : ' d'));
    if (h) parts.push(h + ' h');
    if (m && parts.length < 2) parts.push(m + ' min');
    if (parts.length === 0) parts.push(s + ' s');
    return parts.slice(0, 2).join(' ');
  }
  function tickCountdowns() {
    const now = Date.now();
    document.querySelectorAll('time[data-countdown]').forEach((el) => {
      const at = Date.parse(el.getAttribute('datetime'));
      if (Number.isNaN(at)) return;
      const left = (at - now) / 1000;
      el.textContent = left >= 0 ? words.in + ' ' + spoken(left) : words.overdue + ' ' + spoken(left);
      el.classList.toggle('overdue', left < 0);
    });
  }

  // Keyboard: ? the shortcut sheet, g q the queue, g t technicians, / the search box.
  let pendingG = false;
  document.addEventListener('keydown', (event) => {
    const target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target instanceof HTMLElement && target.closest('input, textarea, select, [contenteditable]')) return;
    const sheet = document.getElementById('shortcuts');
    if (event.key === '?' && sheet && typeof sheet.showModal === 'function') {
      event.preventDefault();
      sheet.showModal();
    } else if (event.key === '/') {
      const search = document.querySelector('input[type="search"]');
      if (search) {
        event.preventDefault();
        search.focus();
      }
    } else if (pendingG && (event.key === 'q' || event.key === 't')) {
      window.location.href = event.key === 'q' ? '/' : '/technicians';
    }
    pendingG = event.key === 'g';
  });

  // A form that asks to be confirmed (data-confirm) does so before it is sent.
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });

  tickCountdowns();
  setInterval(tickCountdowns, 1000);
  connect();
})();
