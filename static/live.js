// Live refresh of a dashboard section on the day of a stop: every few seconds the section named
// by data-live-src is fetched again and swapped in place, without reloading the page (so the
// reader's scroll position, open tables and filters stay). Without JavaScript the page is a
// normal page that can be reloaded.
(function () {
  'use strict';
  document.querySelectorAll('[data-live-src]').forEach(function (section) {
    var every = Math.max(2, Number(section.getAttribute('data-live-every')) || 10) * 1000;
    var busy = false;
    function refresh() {
      if (busy || document.hidden) return;
      busy = true;
      fetch(section.getAttribute('data-live-src'), { credentials: 'same-origin', cache: 'no-store' })
        .then(function (response) {
          if (!response.ok) throw new Error('HTTP ' + response.status);
          return response.text();
        })
        .then(function (html) {
          // Keep open "data table" details open across refreshes.
          var open = Array.prototype.map.call(section.querySelectorAll('details'), function (d) { return d.open; });
          section.innerHTML = html;
          section.querySelectorAll('details').forEach(function (d, i) { if (open[i]) d.open = true; });
          section.removeAttribute('data-stale');
        })
        .catch(function () { section.setAttribute('data-stale', 'true'); })
        .then(function () { busy = false; });
    }
    setInterval(refresh, every);
  });
})();
