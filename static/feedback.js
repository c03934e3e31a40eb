// The grade page, live: polls a few bytes (the stamp) and, when a response has arrived,
// fetches the table again and swaps it in. Without JavaScript, a reload does the same.
(function () {
  "use strict";
  var section = document.getElementById("grades");
  if (!section || !window.fetch) { return; }
  var every = Math.max(2, parseInt(section.getAttribute("data-poll"), 10) || 10) * 1000;
  var stampUrl = section.getAttribute("data-stamp-url");
  var rowsUrl = section.getAttribute("data-rows-url");
  function current() {
    var table = document.getElementById("grade-table");
    return table ? table.getAttribute("data-stamp") : "";
  }
  function refresh() {
    return fetch(rowsUrl, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        var table = document.getElementById("grade-table");
        if (html && table) {
          table.outerHTML = html;
          var note = document.getElementById("live-note");
          if (note) { note.classList.add("updated"); }
          section.setAttribute("data-updated", String(Date.now()));
        }
      });
  }
  function poll() {
    fetch(stampUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (body && body.stamp !== current()) { return refresh(); }
      })
      .catch(function () {})
      .then(function () { window.setTimeout(poll, every); });
  }
  window.setTimeout(poll, every);
})();
