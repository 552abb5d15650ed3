"use strict";
// Small progressive enhancements; every page works without them.

// Salesforce account IDs, checked as you type. Mirrors orgs/salesforce.py;
// the server stays the authority.
(function () {
  var SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
  function checksum(id15) {
    var out = "";
    for (var start = 0; start < 15; start += 5) {
      var bits = 0;
      for (var i = 0; i < 5; i++) {
        var c = id15.charAt(start + i);
        if (c >= "A" && c <= "Z") bits |= 1 << i;
      }
      out += SUFFIX.charAt(bits);
    }
    return out;
  }
  function problem(value) {
    if (value.length !== 15 && value.length !== 18) return "a Salesforce account ID has 15 or 18 characters";
    if (!/^[A-Za-z0-9]+$/.test(value)) return "only the letters A-Z, a-z and the digits 0-9";
    if (value.indexOf("001") !== 0) return "a Salesforce account ID starts with '001'";
    var expected = checksum(value.slice(0, 15));
    if (value.length === 18 && value.slice(15).toUpperCase() !== expected)
      return "the last three characters must be the checksum of the first fifteen (expected '" + expected + "')";
    return null;
  }
  window.tenantreeSalesforceChecksum = checksum;
  document.querySelectorAll("input[data-salesforce-id]").forEach(function (input) {
    var status = document.getElementById(input.id + "-status");
    function check() {
      var value = input.value.trim();
      if (!value) { status.textContent = ""; input.removeAttribute("aria-invalid"); input.setCustomValidity(""); return; }
      var why = problem(value);
      // A custom validity stops the form's submit, as the browser's own checks do.
      input.setCustomValidity(why || "");
      if (why) {
        status.textContent = "✗ " + why;
        status.className = "hint field-bad";
        input.setAttribute("aria-invalid", "true");
      } else {
        status.textContent = "✓ valid; stored as " + value.slice(0, 15) + checksum(value.slice(0, 15));
        status.className = "hint field-ok";
        input.removeAttribute("aria-invalid");
      }
    }
    input.addEventListener("input", check);
    check();
  });
})();

// Branding editor: the preview follows the draft as you type.
(function () {
  var form = document.querySelector("form[data-brand-draft]");
  var preview = document.querySelector("[data-brand-preview]");
  if (!form || !preview) return;
  var HEX = /^#[0-9a-fA-F]{6}$/;
  function field(name) {
    var input = form.querySelector("[name='" + name + "']");
    return input && input.value.trim() ? input.value.trim() : null;
  }
  function update() {
    var inherited = JSON.parse(preview.getAttribute("data-inherited") || "{}");
    var name = field("product_name") || inherited.product_name || "";
    var primary = field("primary_color");
    var accent = field("accent_color");
    primary = primary && HEX.test(primary) ? primary : inherited.primary_color;
    accent = accent && HEX.test(accent) ? accent : inherited.accent_color;
    preview.querySelector("[data-preview='product_name']").textContent = name;
    preview.querySelector("[data-preview='bar']").style.background = primary;
    preview.querySelector("[data-preview='button']").style.background = primary;
    preview.querySelector("[data-preview='link']").style.color = accent;
    preview.querySelector("[data-preview='sign_in_message']").textContent =
      field("sign_in_message") || inherited.sign_in_message || "";
  }
  form.addEventListener("input", update);
  update();
})();

// Logo and favicon: send the chosen file itself, with the page's CSRF token in
// a header, then show the editor again (or say why the server refused it).
(function () {
  var inputs = document.querySelectorAll("input[data-upload]");
  Array.prototype.forEach.call(inputs, function (input) {
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) { return; }
      var error = input.parentNode.querySelector("[data-upload-error]");
      var type = input.getAttribute("data-upload-type") || file.type ||
        (/\.svg$/i.test(file.name) ? "image/svg+xml" : "image/png");
      var url = input.getAttribute("data-upload");
      var nameParam = input.getAttribute("data-upload-name");
      if (nameParam) { url += "?" + nameParam + "=" + encodeURIComponent(file.name); }
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": type, "X-CSRF-Token": input.getAttribute("data-csrf") },
        body: file
      }).then(function (response) {
        if (response.ok) { window.location = response.url; return; }
        return response.text().then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var message = page.querySelector("[data-testid=error]") || page.querySelector("main");
          error.textContent = "Not uploaded: " + (message ? message.textContent.trim() : response.status);
          error.hidden = false;
        });
      });
    });
  });
})();

// Passkeys (WebAuthn): the server's options are JSON with base64url bytes; the
// browser's answer goes back the same way, in a hidden field of the form.
(function () {
  if (!window.PublicKeyCredential) return;
  function toBytes(b64url) {
    var b64 = b64url.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var raw = atob(b64), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out.buffer;
  }
  function toB64url(buffer) {
    var bytes = new Uint8Array(buffer), s = "";
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function withIds(list) {
    return (list || []).map(function (c) { return Object.assign({}, c, { id: toBytes(c.id) }); });
  }
  function answer(credential) {
    var r = credential.response, out = { id: credential.id, rawId: toB64url(credential.rawId),
      type: credential.type, clientExtensionResults: credential.getClientExtensionResults(),
      response: { clientDataJSON: toB64url(r.clientDataJSON) } };
    if (r.attestationObject) {
      out.response.attestationObject = toB64url(r.attestationObject);
      if (r.getTransports) out.response.transports = r.getTransports();
    } else {
      out.response.authenticatorData = toB64url(r.authenticatorData);
      out.response.signature = toB64url(r.signature);
      if (r.userHandle) out.response.userHandle = toB64url(r.userHandle);
    }
    return JSON.stringify(out);
  }
  function wire(form, field, ask) {
    var options = JSON.parse(form.querySelector("[data-passkey-options]").textContent);
    var status = form.querySelector("[data-passkey-status]");
    form.addEventListener("submit", function (event) {
      if (form.querySelector("[name='" + field + "']").value) return;
      event.preventDefault();
      ask(options).then(function (credential) {
        form.querySelector("[name='" + field + "']").value = answer(credential);
        form.submit();
      }).catch(function (error) {
        status.textContent = "The passkey did not answer: " + error.message;
      });
    });
  }
  var register = document.querySelector("form[data-passkey-register]");
  if (register) wire(register, "credential", function (o) {
    var publicKey = Object.assign({}, o, {
      challenge: toBytes(o.challenge),
      user: Object.assign({}, o.user, { id: toBytes(o.user.id) }),
      excludeCredentials: withIds(o.excludeCredentials) });
    return navigator.credentials.create({ publicKey: publicKey });
  });
  var signIn = document.querySelector("form[data-passkey-sign-in]");
  if (signIn) wire(signIn, "passkey", function (o) {
    var publicKey = Object.assign({}, o, {
      challenge: toBytes(o.challenge), allowCredentials: withIds(o.allowCredentials) });
    return navigator.credentials.get({ publicKey: publicKey });
  });
})();
