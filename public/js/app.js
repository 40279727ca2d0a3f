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
// A table wider than a small screen scrolls inside its box: that box must be reachable by keyboard
// (WCAG 2.1.1), but only while it actually scrolls, so wide screens get no extra tab stop.
function markScrollableTables() {
  for (const box of document.querySelectorAll('.table-responsive')) {
    if (box.scrollWidth > box.clientWidth) {
      box.setAttribute('tabindex', '0');
      box.setAttribute('role', 'region');
      const caption = box.querySelector('caption');
      box.setAttribute('aria-label', caption && caption.textContent.trim() ? caption.textContent.trim() : 'Таблица');
    } else if (box.getAttribute('tabindex') === '0') {
      box.removeAttribute('tabindex');
      box.removeAttribute('role');
      box.removeAttribute('aria-label');
    }
  }
}
document.addEventListener('DOMContentLoaded', markScrollableTables);
document.addEventListener('htmx:afterSettle', markScrollableTables);
window.addEventListener('resize', markScrollableTables);
// «Распечатать» buttons (no inline script under the CSP).
document.addEventListener('click', (event) => {
  if (event.target instanceof Element && event.target.closest('[data-print]')) window.print();
});
// A category other than «Работающий» cannot carry the working-only ticks (pedagogical post, parental leave):
// choosing it unticks and disables them, so the form is not sent back with an error (the server checks too).
function applyWorkingOnly(select) {
  const working = select.value === 'working';
  for (const id of select.dataset.workingOnly.split(' ')) {
    const box = document.getElementById(id);
    if (!box) continue;
    if (!working) box.checked = false;
    box.disabled = !working;
  }
}
document.addEventListener('change', (event) => {
  if (event.target instanceof HTMLSelectElement && event.target.dataset.workingOnly) applyWorkingOnly(event.target);
});
document.addEventListener('DOMContentLoaded', () => {
  for (const select of document.querySelectorAll('select[data-working-only]')) applyWorkingOnly(select);
});
// The organization picker (views/partials/org-picker): a suggestion puts its ИНПО into the field and the list closes.
document.addEventListener('click', (event) => {
  const pick = event.target instanceof Element ? event.target.closest('[data-pick-inpo]') : null;
  if (!pick) return;
  const field = document.getElementById(pick.dataset.pickFor);
  if (!field) return;
  field.value = pick.dataset.pickInpo;
  const list = document.getElementById(`${field.id}-suggestions`);
  if (list) list.replaceChildren();
  field.focus();
});
// The menu folded behind «Меню» on narrow screens (Bootstrap's own script, 23 KB gzip, did only this).
document.addEventListener('click', (event) => {
  const toggle = event.target instanceof Element ? event.target.closest('[data-nav-toggle]') : null;
  if (!toggle) return;
  const menu = document.getElementById(toggle.dataset.navToggle);
  if (!menu) return;
  const open = menu.classList.toggle('show');
  toggle.setAttribute('aria-expanded', String(open));
});
// A form sent into a dropped connection: on «Назад» the browser refills what was typed itself, except the fields
// marked autocomplete="off" (the names of the person being entered, kept out of the browser's suggestions and
// history). Those are kept for this tab only (sessionStorage, gone with the tab) and put back only when the page
// is reached by «Назад»/«Вперёд»; any other page that loads (the form's result, a fresh visit) forgets them.
function typedKey(form) {
  return `typed:${location.pathname}:${form.getAttribute('action')}`;
}
document.addEventListener('input', (event) => {
  const field = event.target;
  if (!(field instanceof HTMLInputElement) || field.autocomplete !== 'off' || !field.form || !field.id) return;
  const key = typedKey(field.form);
  const kept = JSON.parse(sessionStorage.getItem(key) ?? '{}');
  kept[field.id] = field.value;
  sessionStorage.setItem(key, JSON.stringify(kept));
});
document.addEventListener('DOMContentLoaded', () => {
  const [navigation] = performance.getEntriesByType('navigation');
  if (!navigation || navigation.type !== 'back_forward') {
    for (const key of Object.keys(sessionStorage)) if (key.startsWith('typed:')) sessionStorage.removeItem(key);
    return;
  }
  for (const form of document.querySelectorAll('form[method="post"]')) {
    const kept = sessionStorage.getItem(typedKey(form));
    if (!kept) continue;
    for (const [id, value] of Object.entries(JSON.parse(kept))) {
      const field = document.getElementById(id);
      if (field instanceof HTMLInputElement && field.form === form && !field.value) field.value = value;
    }
  }
});
// Long forms (form[data-draft]: admission, the passport's general data) keep a draft on the server, so that what
// was typed survives a submit lost to a dropped connection: two seconds after the last change the form's fields
// go to its draft URL (src/drafts/drafts.routes.ts); the next visit of the form shows them again. The one-time
// form token goes as `sentWith`, not under its own name (a draft must not claim the form's submission, and the
// server drops a draft that arrives after the form was sent). A draft that could not be sent is sent with the
// next change; sending the form cancels a pending one.
const draftTimers = new WeakMap();
function saveDraft(form) {
  const fields = new URLSearchParams(new FormData(form));
  fields.set('sentWith', fields.get('formToken') ?? '');
  fields.delete('formToken');
  fetch(form.dataset.draft, { method: 'POST', body: fields, credentials: 'same-origin' }).catch(() => {});
}
document.addEventListener('input', (event) => {
  const form = event.target instanceof Element ? event.target.closest('form[data-draft]') : null;
  if (!form) return;
  clearTimeout(draftTimers.get(form));
  draftTimers.set(
    form,
    setTimeout(() => saveDraft(form), 2000),
  );
});
document.addEventListener('submit', (event) => {
  if (event.target instanceof HTMLFormElement) clearTimeout(draftTimers.get(event.target));
});
// A meeting's registration (views/meetings/attendance.ejs): after each scan the field is cleared and focused
// for the next card (a USB scanner types the number and Enter); where the browser has BarcodeDetector, a
// button reads the card's QR code or barcode with the phone's camera and sends it the same way.
document.addEventListener('htmx:afterSwap', (event) => {
  if (!(event.target instanceof Element) || event.target.id !== 'scan-live') return;
  const input = document.getElementById('scan');
  if (input) {
    input.value = '';
    input.focus();
  }
});
document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('scan-form');
  // the scanner types into the focused field: the page opens ready for the first card
  if (form && !document.querySelector('.error-summary')) document.getElementById('scan').focus();
  const button = document.getElementById('scan-camera');
  const video = document.getElementById('scan-video');
  if (!form || !button || !video || !('BarcodeDetector' in window) || !navigator.mediaDevices) return;
  button.hidden = false;
  let last = '';
  button.addEventListener('click', async () => {
    const detector = new window.BarcodeDetector({ formats: ['qr_code', 'code_128', 'ean_13'] });
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    const look = async () => {
      if (video.hidden) return;
      const [code] = await detector.detect(video).catch(() => []);
      // the same card held before the camera is sent once, not on every frame
      if (code && code.rawValue !== last) {
        last = code.rawValue;
        document.getElementById('scan').value = code.rawValue;
        form.requestSubmit();
      }
      setTimeout(look, 300);
    };
    look();
  });
});
