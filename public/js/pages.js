/*
 * The public pages' one script (served from /static, allowed by the CSP's script-src 'self').
 * Every page works without it; with it:
 * - the browser's time zone is remembered in the `tz` cookie, so times are shown in it;
 * - the error summary of a refused form takes the focus;
 * - the resend button of a code counts down and is enabled when the time comes;
 * - new-password fields get a show/hide toggle and zxcvbn's feedback as the person types;
 * - secrets to keep (recovery codes, an appeal's access token) get a copy button.
 */
(function () {
  'use strict';

  function rememberTimeZone() {
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (error) {
      return;
    }
    if (!zone || document.cookie.split('; ').indexOf('tz=' + encodeURIComponent(zone)) !== -1) return;
    document.cookie = 'tz=' + encodeURIComponent(zone) + '; path=/; max-age=31536000; SameSite=Lax';
  }

  function focusErrorSummary() {
    var summary = document.getElementById('error-summary');
    if (summary) summary.focus();
  }

  function countDown(hint) {
    var form = hint.closest('form');
    var button = form && form.querySelector('button[type=submit]');
    var left = Number(hint.getAttribute('data-resend-in'));
    if (!button || !isFinite(left)) return;
    var deadline = Date.now() + left * 1000;
    var template = hint.getAttribute('data-countdown-text') || '';
    function tick() {
      var seconds = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      if (seconds === 0) {
        hint.textContent = hint.getAttribute('data-ready-text') || '';
        button.disabled = false;
        return;
      }
      hint.textContent = template.replace('{seconds}', String(seconds));
      window.setTimeout(tick, 1000);
    }
    tick();
  }

  function passwordToggle(button) {
    var input = document.getElementById(button.getAttribute('data-toggle-password'));
    var confirm = document.getElementById('confirmPassword');
    if (!input) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      var show = input.type === 'password';
      input.type = show ? 'text' : 'password';
      if (confirm) confirm.type = input.type;
      button.setAttribute('aria-pressed', show ? 'true' : 'false');
      button.textContent = button.getAttribute(show ? 'data-hide-text' : 'data-show-text');
    });
  }

  function strengthMeter(input) {
    var output = document.getElementById(input.id + '-strength');
    var url = input.getAttribute('data-password-strength');
    if (!output || !url || !window.fetch) return;
    var timer;
    var latest = 0;
    input.addEventListener('input', function () {
      window.clearTimeout(timer);
      var password = input.value;
      if (!password) {
        output.textContent = '';
        return;
      }
      timer = window.setTimeout(function () {
        var asked = ++latest;
        window
          .fetch(url, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
            credentials: 'same-origin',
            body: JSON.stringify({ password: password }),
          })
          .then(function (answer) {
            return answer.ok ? answer.json() : undefined;
          })
          .then(function (verdict) {
            if (!verdict || asked !== latest) return;
            render(output, verdict);
          })
          .catch(function () {
            /* The meter is a help: without it the server still judges the password. */
          });
      }, 250);
    });
  }

  function render(output, verdict) {
    while (output.firstChild) output.removeChild(output.firstChild);
    var label = document.createElement('p');
    label.className = 'password-score score-' + verdict.score;
    label.textContent = (output.getAttribute('data-strength-label') || '') + ': ' + verdict.label;
    output.appendChild(label);
    var meter = document.createElement('meter');
    meter.min = 0;
    meter.max = 4;
    meter.low = 2;
    meter.high = 3;
    meter.optimum = 4;
    meter.value = verdict.score;
    meter.setAttribute('aria-hidden', 'true');
    output.appendChild(meter);
    var notes = (verdict.warning ? [verdict.warning] : []).concat(verdict.suggestions || []);
    if (!notes.length) return;
    var list = document.createElement('ul');
    notes.forEach(function (note) {
      var item = document.createElement('li');
      item.textContent = note;
      list.appendChild(item);
    });
    output.appendChild(list);
  }

  function copyButton(button) {
    if (!navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      var source = button.getAttribute('data-copy');
      var text = source ? (document.getElementById(source) || {}).textContent : button.getAttribute('data-copy-text');
      if (!text) return;
      var label = button.textContent;
      navigator.clipboard.writeText(text).then(function () {
        button.textContent = button.getAttribute('data-copied-text') || label;
        window.setTimeout(function () {
          button.textContent = label;
        }, 2000);
      });
    });
  }

  function each(selector, action) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), action);
  }

  rememberTimeZone();
  document.addEventListener('DOMContentLoaded', function () {
    focusErrorSummary();
    each('[data-resend-in]', countDown);
    each('[data-toggle-password]', passwordToggle);
    each('[data-password-strength]', strengthMeter);
    each('[data-copy], [data-copy-text]', copyButton);
  });
})();
