/* Attach several files with a progress bar: each file is its own POST, one after another, so a
   refused file (too large, a type not taken, the store down) costs none of the others. Without
   this script the same form posts all files at once and the page reports each on reload. */
(function () {
  "use strict";

  function text(el, value) {
    el.textContent = value;
    return el;
  }

  function row(list, file, waiting) {
    var li = document.createElement("li");
    li.className = "upload-item";
    var name = text(document.createElement("span"), file.name);
    name.className = "upload-name";
    var bar = document.createElement("progress");
    bar.max = file.size || 1;
    bar.value = 0;
    var status = text(document.createElement("span"), waiting);
    status.className = "upload-status";
    li.appendChild(name);
    li.appendChild(bar);
    li.appendChild(status);
    list.appendChild(li);
    return { li: li, bar: bar, status: status, file: file };
  }

  function finish(item, ok, message) {
    item.li.className = "upload-item " + (ok ? "upload-ok" : "upload-failed");
    if (ok) item.bar.value = item.bar.max;
    text(item.status, message);
  }

  function setUp(form) {
    var input = form.querySelector("input[type=file]");
    var list = form.querySelector(".upload-progress");
    var summary = form.querySelector(".upload-summary");
    var button = form.querySelector("button[type=submit]");
    var token = form.querySelector("input[name=csrf_token]").value;
    var limit = parseInt(form.dataset.limit, 10);

    form.addEventListener("submit", function (event) {
      if (!window.FormData || !input.files || !input.files.length) return;
      event.preventDefault();
      list.textContent = "";
      list.hidden = false;
      summary.hidden = true;
      var items = Array.prototype.map.call(input.files, function (f) {
        return row(list, f, form.dataset.msgWaiting);
      });
      button.disabled = true;
      var attached = 0;

      function done() {
        button.disabled = false;
        input.value = "";
        summary.hidden = false;
        text(
          summary,
          form.dataset.msgSummary
            .replace("{done}", attached)
            .replace("{total}", items.length)
        );
      }

      function send(i) {
        if (i >= items.length) return done();
        var item = items[i];
        if (limit && item.file.size > limit) {
          finish(item, false, form.dataset.msgTooLarge);
          return send(i + 1);
        }
        text(item.status, form.dataset.msgSending);
        var data = new FormData();
        data.append("csrf_token", token);
        data.append("files", item.file, item.file.name);
        var xhr = new XMLHttpRequest();
        xhr.open("POST", form.action);
        xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
        xhr.setRequestHeader("Accept", "application/json");
        xhr.upload.addEventListener("progress", function (e) {
          if (e.lengthComputable) {
            item.bar.max = e.total;
            item.bar.value = e.loaded;
          }
        });
        xhr.addEventListener("load", function () {
          var body = null;
          try {
            body = JSON.parse(xhr.responseText);
          } catch (ignored) {
            body = null;
          }
          var result = body && body.results && body.results[0];
          if (result) {
            finish(item, result.ok, result.message);
            if (result.ok) attached += 1;
          } else {
            var message = body && body.error ? body.error.message : form.dataset.msgFailed;
            finish(item, false, message);
          }
          if (body && body.html) {
            var old = document.getElementById("attachment-list");
            var holder = document.createElement("div");
            holder.innerHTML = body.html;
            var fresh = holder.querySelector("#attachment-list");
            if (old && fresh) old.parentNode.replaceChild(fresh, old);
          }
          send(i + 1);
        });
        xhr.addEventListener("error", function () {
          finish(item, false, form.dataset.msgFailed);
          send(i + 1);
        });
        xhr.send(data);
      }

      send(0);
    });
  }

  document.querySelectorAll("form.upload-form").forEach(setUp);
})();
