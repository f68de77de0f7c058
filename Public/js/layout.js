// Small screens (progressive: without this script the menu shows in full and tables scroll inside themselves).
// 1. The menu collapses behind a "Meny" button. 2. Tables stack their cells, each labelled with its column's heading.
(function () {
  var nav = document.querySelector('.main-nav');
  var toggle = document.querySelector('.menu-toggle');
  if (nav && toggle) {
    document.documentElement.classList.add('js-menu');
    toggle.hidden = false;
    toggle.addEventListener('click', function () {
      var open = toggle.getAttribute('aria-expanded') === 'true';
      toggle.setAttribute('aria-expanded', open ? 'false' : 'true');
      nav.classList.toggle('main-nav--open', !open);
    });
  }
  document.querySelectorAll('table.table').forEach(function (table) {
    var heads = [];
    table.querySelectorAll('thead tr:first-child th').forEach(function (th) {
      var span = parseInt(th.getAttribute('colspan') || '1', 10);
      for (var i = 0; i < span; i++) heads.push(th.textContent.trim());
    });
    if (!heads.length) return;
    table.querySelectorAll('tbody tr, tfoot tr').forEach(function (tr) {
      var col = 0;
      Array.prototype.forEach.call(tr.children, function (cell) {
        if (heads[col] && !cell.hasAttribute('data-label')) cell.setAttribute('data-label', heads[col]);
        col += parseInt(cell.getAttribute('colspan') || '1', 10);
      });
    });
    table.classList.add('table--stackable');
  });
})();
