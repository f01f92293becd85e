// Paperboy's one client script: progressive enhancement only, every feature works without it.
// Served from /assets/app.<hash>.js (script-src 'self'; no inline script anywhere).
// Each feature is an independent section below with a comment header; add yours the same way.
'use strict';

// ---- Upvote without reload -------------------------------------------------------------------------
// The upvote button is a form (POST /papers/{id}/upvote). Here it calls the JSON API instead
// (PUT/DELETE /api/v1/papers/{id}/upvote with the page's CSRF token from <meta name="csrf-token">)
// and updates the count and pressed state in place. Any failure falls back to posting the form.
(function upvotes() {
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : null;
  if (!csrf || !window.fetch) return;

  function apiPath(id) {
    return '/api/v1/papers/' + id.split('/').map(encodeURIComponent).join('/') + '/upvote';
  }

  function render(form, state) {
    var button = form.querySelector('button.upvote');
    var count = form.querySelector('b');
    var unit = form.querySelector('small');
    var next = form.querySelector('input[name="state"]');
    var label = state.upvotes + (state.upvotes === 1 ? ' upvote' : ' upvotes');
    if (count) count.textContent = String(state.upvotes);
    if (unit) unit.textContent = state.upvotes === 1 ? 'upvote' : 'upvotes';
    if (button) {
      button.setAttribute('aria-pressed', state.upvoted ? 'true' : 'false');
      button.title = label + (state.upvoted ? '; click to remove your upvote' : '; click to upvote');
    }
    if (!next) {
      next = document.createElement('input');
      next.type = 'hidden';
      next.name = 'state';
      form.appendChild(next);
    }
    next.value = state.upvoted ? 'off' : 'on';
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains('upvote-form')) return;
    var id = form.getAttribute('data-paper-id');
    if (!id || form.method.toLowerCase() !== 'post') return; // the signed-out button goes to sign-in as is
    event.preventDefault();
    if (form.getAttribute('data-busy')) return;
    form.setAttribute('data-busy', '1');
    var button = form.querySelector('button.upvote');
    var on = !(button && button.getAttribute('aria-pressed') === 'true');
    fetch(apiPath(id), {
      method: on ? 'PUT' : 'DELETE',
      credentials: 'same-origin',
      headers: { 'X-CSRF-Token': csrf, Accept: 'application/json' },
    })
      .then(function (res) {
        if (!res.ok) throw new Error('upvote failed: HTTP ' + res.status);
        return res.json();
      })
      .then(function (state) {
        render(form, state);
        form.removeAttribute('data-busy');
      })
      .catch(function () {
        // The form post shows the reason (sign in again, slow down…) as a page.
        form.submit();
      });
  });
})();
