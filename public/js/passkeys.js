/*
 * Passkeys on the Account Center pages, with @simplewebauthn/browser (the global
 * SimpleWebAuthnBrowser, loaded before this file). No inline script: forms say what they need
 * in data attributes, and the browser's answer goes back in a hidden `credential` field.
 *
 * - form[data-passkey-sign-in]: sign-in; options from POST /api/v1/sessions/passkey-options,
 *   offered in the login field's autofill (conditional mediation) and behind the button.
 * - form[data-passkey="authenticate" | "register"]: a verification or a registration whose
 *   options the page carries in data-passkey-options.
 */
(function () {
  'use strict';
  var lib = window.SimpleWebAuthnBrowser;

  function fail(form, error) {
    var message = form.querySelector('[data-passkey-message]');
    if (!message) return;
    var aborted = error && (error.name === 'AbortError' || error.code === 'ERROR_CEREMONY_ABORTED');
    if (aborted) return;
    message.textContent = form.getAttribute('data-passkey-error') || 'The passkey could not be used.';
    message.hidden = false;
  }

  function submitWith(form, credential, challengeId) {
    form.querySelector('input[name="credential"]').value = JSON.stringify(credential);
    if (challengeId) form.querySelector('input[name="challengeId"]').value = challengeId;
    form.submit();
  }

  function unsupported(form) {
    form.hidden = true;
  }

  if (!lib || !lib.browserSupportsWebAuthn()) {
    document.querySelectorAll('form[data-passkey-sign-in], form[data-passkey]').forEach(unsupported);
    return;
  }

  document.querySelectorAll('form[data-passkey]').forEach(function (form) {
    var register = form.getAttribute('data-passkey') === 'register';
    var options = JSON.parse(form.getAttribute('data-passkey-options'));
    form.querySelector('[data-passkey-start]').addEventListener('click', function () {
      var ceremony = register ? lib.startRegistration({ optionsJSON: options }) : lib.startAuthentication({ optionsJSON: options });
      ceremony.then(
        function (credential) {
          submitWith(form, credential);
        },
        function (error) {
          fail(form, error);
        },
      );
    });
  });

  var signIn = document.querySelector('form[data-passkey-sign-in]');
  if (!signIn) return;

  function freshOptions() {
    return fetch('/api/v1/sessions/passkey-options', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: '{}',
      credentials: 'omit',
    }).then(function (response) {
      if (!response.ok) throw new Error('passkey options: ' + response.status);
      return response.json();
    });
  }

  function ceremony(autofill) {
    return freshOptions().then(function (started) {
      return lib.startAuthentication({ optionsJSON: started.options, useBrowserAutofill: autofill }).then(function (credential) {
        submitWith(signIn, credential, started.challengeId);
      });
    });
  }

  signIn.querySelector('[data-passkey-start]').addEventListener('click', function () {
    ceremony(false).catch(function (error) {
      fail(signIn, error);
    });
  });

  // The browser's autofill offers passkeys in the login field (autocomplete="username webauthn").
  lib.browserSupportsWebAuthnAutofill().then(function (supported) {
    if (supported) ceremony(true).catch(function () {});
  });
})();
