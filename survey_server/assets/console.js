// The console's pages: a refused form's error summary is focused; on a
// survey's page, while the survey takes answers, the progress
// table is read again every 20 seconds (or the ?refresh= the page was asked with) (GET .../progress, the same numbers
// the server printed) so that a manager watching fieldwork sees it move.
// Without this script the page is complete; it only stays as loaded.
(function () {
  'use strict';
  // A refused form's summary first, for keyboards and screen readers.
  var summary = document.querySelector('.error-summary');
  if (summary) summary.focus();
  var table = document.querySelector('table[data-progress]');
  if (!table) return;
  var url = table.getAttribute('data-progress');
  var lang = document.documentElement.lang || 'vi';
  var counts = new Intl.NumberFormat(lang);
  var percents = new Intl.NumberFormat(lang, {
    style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1
  });
  var status = document.getElementById('progress-updated');

  function set(row, name, text) {
    var cell = row.querySelector('[data-cell="' + name + '"]');
    if (cell) cell.textContent = text;
  }

  function show(data) {
    data.strata.forEach(function (s) {
      var row = table.querySelector('tr[data-stratum="' + CSS.escape(s.stratum) + '"]');
      if (!row) return;
      var rate = s.invited > 0 ? s.responded / s.invited : 0;
      set(row, 'invited', counts.format(s.invited));
      set(row, 'responded', counts.format(s.responded));
      set(row, 'rate', percents.format(rate));
      set(row, 'reserves', counts.format(s.reserves_waiting));
      var meter = row.querySelector('meter');
      if (meter) meter.value = rate;
    });
    if (status) {
      status.textContent = status.getAttribute('data-template')
        .replace('{time}', new Date().toLocaleTimeString(lang));
    }
    return data.state === 'open';
  }

  function poll() {
    if (document.hidden) return schedule();
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && show(data)) schedule(); })
      .catch(schedule);
  }

  var seconds = Number(table.getAttribute('data-interval')) || 20;
  function schedule() { window.setTimeout(poll, seconds * 1000); }

  if (table.getAttribute('data-open') === 'true') schedule();
})();
