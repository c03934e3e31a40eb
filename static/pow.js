/* Proof-of-work for the anonymous forms (ALTCHA v1, no third party): when a form with an
   `altcha` field is sent, fetch a challenge, find the number whose SHA-256 with the salt is the
   challenge, and send the payload instead of the no-JavaScript form token. Where the browser
   cannot hash (no Web Crypto on plain http) the form goes as it is. */
(function () {
  "use strict";

  function hex(buffer) {
    var bytes = new Uint8Array(buffer), out = "";
    for (var i = 0; i < bytes.length; i++) out += ("0" + bytes[i].toString(16)).slice(-2);
    return out;
  }

  async function solve(ch) {
    var enc = new TextEncoder();
    for (var n = 0; n <= ch.maxnumber; n++) {
      var digest = await crypto.subtle.digest("SHA-256", enc.encode(ch.salt + n));
      if (hex(digest) === ch.challenge) {
        return btoa(JSON.stringify({
          algorithm: ch.algorithm, challenge: ch.challenge, number: n,
          salt: ch.salt, signature: ch.signature
        }));
      }
    }
    return null;
  }

  function attach(field) {
    var form = field.form;
    if (!form || form.dataset.powBound) return;
    form.dataset.powBound = "1";
    form.addEventListener("submit", function (event) {
      if (form.dataset.powDone || !(window.crypto && crypto.subtle)) return;
      event.preventDefault();
      var button = form.querySelector("[type=submit]");
      if (button) button.disabled = true;
      fetch(field.dataset.challenge, {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (ch) { return ch ? solve(ch) : null; })
        .catch(function () { return null; })
        .then(function (payload) {
          if (payload) field.value = payload;
          form.dataset.powDone = "1";
          if (button) button.disabled = false;
          form.requestSubmit ? form.requestSubmit(button || undefined) : form.submit();
        });
    });
  }

  document.querySelectorAll("input[name=altcha][data-challenge]").forEach(attach);
})();
