// The back-office's live layer: the queue's changed rows re-rendered, who else has an appeal
// open, a warning before acting on a stale appeal page, a notice when the person answers an
// appeal the agent holds, and keyboard shortcuts. Every page works without it: the forms post
// as they are, and a stale action still answers 409.
(function () {
  'use strict';

  var appealBox = document.querySelector('[data-live-appeal]');
  var queue = document.querySelector('[data-live-queue]');
  var reference = appealBox ? appealBox.getAttribute('data-live-appeal') : null;
  var pageVersion = appealBox ? Number(appealBox.getAttribute('data-live-version')) : null;
  var me = appealBox ? appealBox.getAttribute('data-live-me') : null;
  var stale = null;
  var submitting = false;

  function text(tag, content, className) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    node.textContent = content;
    return node;
  }

  function noticeArea() {
    var area = document.querySelector('[data-live-notices]');
    if (area) return area;
    area = document.createElement('div');
    area.className = 'live-notices';
    area.setAttribute('data-live-notices', '');
    area.setAttribute('role', 'status');
    var main = document.getElementById('main');
    (main || document.body).insertBefore(area, main ? main.firstChild : null);
    return area;
  }

  function notifyAnswered(ref) {
    var notice = document.createElement('p');
    notice.className = 'alert alert-info live-notice';
    notice.appendChild(document.createTextNode('The person answered '));
    var link = text('a', ref);
    link.href = '/agent/appeals/' + encodeURIComponent(ref);
    notice.appendChild(link);
    notice.appendChild(document.createTextNode(', an appeal you hold.'));
    noticeArea().appendChild(notice);
  }

  // The queue: changed rows are fetched again with the page's own filters and swapped in place.
  var pending = {};
  var timer = null;
  function queueChanged(ref) {
    if (!queue.querySelector('tr[data-reference="' + ref + '"]')) return;
    pending[ref] = true;
    if (timer) return;
    timer = setTimeout(refreshRows, 250);
  }
  function refreshRows() {
    var refs = Object.keys(pending);
    pending = {};
    timer = null;
    fetch(location.href, { headers: { Accept: 'text/html' }, credentials: 'same-origin' })
      .then(function (answer) {
        return answer.ok ? answer.text() : Promise.reject(new Error(String(answer.status)));
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, 'text/html');
        refs.forEach(function (ref) {
          var row = queue.querySelector('tr[data-reference="' + ref + '"]');
          if (!row) return;
          var next = fresh.querySelector('tr[data-reference="' + ref + '"]');
          if (next) {
            var imported = document.importNode(next, true);
            imported.classList.add('live-updated');
            // A row selected for a bulk action stays selected with the version the supervisor saw:
            // the action then skips it as changed rather than acting on what they did not see.
            var picked = row.querySelector('input[name="references"]');
            if (picked && picked.checked) {
              imported.querySelector('input[name="references"]').checked = true;
              imported.querySelector('input[name="versions"]').value = row.querySelector('input[name="versions"]').value;
            }
            if (row.classList.contains('is-current')) imported.classList.add('is-current');
            row.parentNode.replaceChild(imported, row);
          } else {
            row.classList.add('live-gone');
            row.setAttribute('title', 'Changed: it no longer matches these filters');
          }
        });
      })
      .catch(function () {
        /* the next change or a reload shows it */
      });
  }

  // The appeal page: who else has it open, and a warning once it changed under the agent.
  function showPresence(agents) {
    var place = appealBox.querySelector('[data-live-presence]');
    var others = agents.slice();
    var mine = others.indexOf(me);
    if (mine >= 0) others.splice(mine, 1);
    place.textContent = others.length ? 'Also open by ' + others.join(', ') + '.' : '';
    place.hidden = !others.length;
  }
  function showStale(by) {
    stale = by;
    var alert = appealBox.querySelector('[data-live-stale]');
    alert.textContent = '';
    alert.appendChild(document.createTextNode('Changed by ' + by + ', '));
    var link = text('a', 'reload');
    link.href = location.pathname;
    alert.appendChild(link);
    alert.appendChild(document.createTextNode(' before you act: an action on this version would be refused.'));
    alert.hidden = false;
  }
  if (appealBox) {
    document.addEventListener('submit', function (event) {
      var form = event.target;
      if (stale && form.querySelector('input[name="version"]')) {
        event.preventDefault();
        var alert = appealBox.querySelector('[data-live-stale]');
        alert.setAttribute('tabindex', '-1');
        alert.focus();
        return;
      }
      submitting = true;
    });
  }

  if (window.EventSource) {
    // The stream starts where the page's state was read, so a change made while the page loaded still arrives.
    var since = (appealBox || queue || document.body).getAttribute('data-live-since');
    var params = [];
    if (reference) params.push('appeal=' + encodeURIComponent(reference));
    if (since && /^\d+$/.test(since)) params.push('since=' + since);
    var source = new EventSource('/agent/events' + (params.length ? '?' + params.join('&') : ''));
    source.addEventListener('appeal.changed', function (message) {
      var data = JSON.parse(message.data);
      if (data.mine && data.by === 'the person') notifyAnswered(data.reference);
      if (queue) queueChanged(data.reference);
      if (appealBox && data.reference === reference && data.version > pageVersion && !submitting) showStale(data.by);
    });
    source.addEventListener('presence', function (message) {
      var data = JSON.parse(message.data);
      if (appealBox && data.reference === reference) showPresence(data.agents);
    });
    window.addEventListener('pagehide', function () {
      source.close();
    });
  }
})();

// Canned replies: a reply's link fills its form's field in place (without the script it reloads the page filled).
(function () {
  'use strict';
  document.addEventListener('click', function (event) {
    var link = event.target.closest ? event.target.closest('a[data-reply-text]') : null;
    if (!link) return;
    var field = document.getElementById(link.getAttribute('data-reply-field'));
    if (!field) return;
    event.preventDefault();
    field.value = link.getAttribute('data-reply-text');
    field.focus();
  });
})();

// Keyboard: j/k move through the queue, Enter opens, c claims on an appeal's page, ? lists the keys.
(function () {
  'use strict';
  var KEYS = [
    ['j', 'next appeal in the queue'],
    ['k', 'previous appeal in the queue'],
    ['Enter', 'open the selected appeal'],
    ['c', "claim the appeal (on an appeal's page)"],
    ['?', 'show or hide this list'],
    ['Esc', 'close this list'],
  ];
  var overlay = null;
  function toggleHelp(show) {
    if (!overlay) {
      overlay = document.createElement('div');
      overlay.className = 'shortcuts';
      overlay.setAttribute('role', 'dialog');
      overlay.setAttribute('aria-label', 'Keyboard shortcuts');
      overlay.setAttribute('tabindex', '-1');
      var title = document.createElement('h2');
      title.textContent = 'Keyboard shortcuts';
      overlay.appendChild(title);
      var list = document.createElement('dl');
      KEYS.forEach(function (pair) {
        var key = document.createElement('dt');
        var kbd = document.createElement('kbd');
        kbd.textContent = pair[0];
        key.appendChild(kbd);
        var what = document.createElement('dd');
        what.textContent = pair[1];
        list.appendChild(key);
        list.appendChild(what);
      });
      overlay.appendChild(list);
      overlay.hidden = true;
      document.body.appendChild(overlay);
    }
    overlay.hidden = show === undefined ? !overlay.hidden : !show;
    if (!overlay.hidden) overlay.focus();
  }
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll('[data-live-queue] tbody tr[data-reference]'));
  }
  function move(step) {
    var all = rows();
    if (!all.length) return;
    var current = all.findIndex(function (row) {
      return row.classList.contains('is-current');
    });
    var next = current < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, current + step));
    all.forEach(function (row) {
      row.classList.remove('is-current');
      row.removeAttribute('aria-current');
    });
    all[next].classList.add('is-current');
    all[next].setAttribute('aria-current', 'true');
    var link = all[next].querySelector('a[href^="/agent/appeals/"]');
    if (link) link.focus();
  }
  document.addEventListener('keydown', function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || (target && target.isContentEditable)) return;
    if (event.key === '?') {
      event.preventDefault();
      toggleHelp();
    } else if (event.key === 'Escape' && overlay && !overlay.hidden) {
      toggleHelp(false);
    } else if (event.key === 'j' || event.key === 'k') {
      event.preventDefault();
      move(event.key === 'j' ? 1 : -1);
    } else if (event.key === 'Enter' && tag !== 'A' && tag !== 'BUTTON') {
      var current = document.querySelector('[data-live-queue] tr.is-current a[href^="/agent/appeals/"]');
      if (current) location.href = current.getAttribute('href');
    } else if (event.key === 'c') {
      var claim = document.querySelector('form[action$="/claim"] button[type="submit"]');
      if (claim) {
        event.preventDefault();
        claim.click();
      }
    }
  });
})();
