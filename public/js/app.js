// Sends the session's CSRF token with every htmx request (forms carry it in the hidden _csrf field).
document.addEventListener('htmx:configRequest', (event) => {
  const token = document.querySelector('meta[name="csrf-token"]');
  if (token) event.detail.headers['X-CSRF-Token'] = token.getAttribute('content');
});
// Focus the error summary so screen-reader users hear what to fix.
document.addEventListener('DOMContentLoaded', () => {
  const summary = document.querySelector('.error-summary');
  if (summary) summary.focus();
});
