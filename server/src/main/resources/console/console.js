// dpq console: shared helpers (loaded first) and start-up (on DOMContentLoaded, after the other scripts). Every piece of text from the server is inserted with textContent
// (through el()), never as HTML, so names, SQL, messages and released values are shown literally.
'use strict';
(function () {
  const DPQ = window.DPQ = window.DPQ || {};
  let csrf = null;

  /** An element with attributes and children; strings become text nodes. */
  DPQ.el = function (tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') { e.className = v; } else { e.setAttribute(k, v); }
    }
    for (const c of children) {
      if (c === null || c === undefined) { continue; }
      e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return e;
  };

  DPQ.$ = (id) => document.getElementById(id);

  DPQ.clear = function (node) {
    while (node.firstChild) { node.removeChild(node.firstChild); }
  };

  DPQ.showError = function (message) {
    const box = DPQ.$('error');
    box.textContent = message;
    box.hidden = !message;
  };

  /** Calls the HTTP API with the session cookie; writes carry the CSRF token. Rejects with the server's message. */
  DPQ.api = async function (method, path, body) {
    const headers = { 'Accept': 'application/json' };
    if (body !== undefined) { headers['Content-Type'] = 'application/json'; }
    if (method !== 'GET' && csrf) { headers['X-CSRF-Token'] = csrf; }
    const r = await fetch(path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    let json = null;
    try { json = await r.json(); } catch (e) { json = null; }
    if (!r.ok) {
      const msg = json && json.error ? json.error.message : 'HTTP ' + r.status;
      const err = new Error(msg);
      err.status = r.status;
      throw err;
    }
    return json;
  };

  DPQ.enc = encodeURIComponent;

  /** A decimal string shortened for display (the exact value is what the server sent). */
  DPQ.num = function (x) {
    if (x === null || x === undefined) { return ''; }
    const n = Number(x);
    if (!isFinite(n)) { return String(x); }
    if (n !== 0 && (Math.abs(n) < 1e-3 || Math.abs(n) >= 1e7)) { return n.toExponential(3); }
    return String(Math.round(n * 10000) / 10000);
  };

  DPQ.row = function (cells) {
    return DPQ.el('tr', {}, ...cells.map(c => c instanceof Node ? DPQ.el('td', {}, c) : DPQ.el('td', {}, String(c))));
  };

  function show(session) {
    csrf = session.csrf;
    DPQ.$('login').hidden = true;
    DPQ.$('who').hidden = false;
    DPQ.$('whoami').textContent = session.principal;
    DPQ.$('role').textContent = session.role;
    if (session.role === 'officer') {
      DPQ.$('officer').hidden = false;
      DPQ.officer.start();
    } else {
      DPQ.$('analyst').hidden = false;
      DPQ.analyst.start();
    }
  }

  function showLogin() {
    csrf = null;
    DPQ.$('login').hidden = false;
    DPQ.$('who').hidden = true;
    DPQ.$('officer').hidden = true;
    DPQ.$('analyst').hidden = true;
  }

  document.addEventListener('DOMContentLoaded', async () => {
    DPQ.$('login-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      DPQ.showError('');
      const input = DPQ.$('login-token');
      try {
        const s = await DPQ.api('POST', '/console/api/login', { token: input.value });
        input.value = '';
        show(s);
      } catch (e) {
        DPQ.showError(e.message);
      }
    });
    DPQ.$('logout').addEventListener('click', async () => {
      try { await DPQ.api('POST', '/console/api/logout', {}); } catch (e) { /* the session is gone either way */ }
      window.location.reload();
    });
    try {
      show(await DPQ.api('GET', '/console/api/session'));
    } catch (e) {
      showLogin();
    }
  });
})();
