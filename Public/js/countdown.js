// Keeps the answer-deadline countdowns current without reloading. The server renders the first text;
// this only refreshes hours and minutes each half minute. Pages work the same without it.
(function () {
  var nb = document.documentElement.lang !== 'en';
  function text(ms) {
    var m = Math.floor(Math.abs(ms) / 60000), span;
    if (m >= 48 * 60) span = Math.floor(m / 1440) + (nb ? ' døgn' : ' days');
    else span = Math.floor(m / 60) + (nb ? ' t ' : ' h ') + (m % 60) + ' min';
    if (ms < 0) return nb ? 'over fristen med ' + span : 'overdue by ' + span;
    return nb ? span + ' igjen' : span + ' left';
  }
  function tick() {
    document.querySelectorAll('[data-countdown]').forEach(function (el) {
      if (el.getAttribute('data-state') === 'answered') return;
      el.textContent = text(new Date(el.getAttribute('data-countdown')) - new Date());
    });
  }
  setInterval(tick, 30000);
})();
