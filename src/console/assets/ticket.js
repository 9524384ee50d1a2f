// The ticket page: its disclosures (a message's full original, a notice sent) stay as the reader
// left them when the live layer replaces the timeline, which console.js does on every change on
// the desk. Each <details> there has a stable id; the open ones are remembered and reopened.
'use strict';

(function () {
  const open = new Set();
  // `toggle` does not bubble: heard while it goes down to the element instead.
  document.addEventListener(
    'toggle',
    (event) => {
      const details = event.target;
      if (!(details instanceof HTMLDetailsElement) || !details.id) return;
      if (details.open) open.add(details.id);
      else open.delete(details.id);
    },
    true,
  );
  document.addEventListener('console:refreshed', () => {
    open.forEach((id) => {
      const details = document.getElementById(id);
      if (details instanceof HTMLDetailsElement) details.open = true;
    });
  });
})();
