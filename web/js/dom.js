// DOM helpers. Every piece of data reaches the page through textContent or
// a property, never through HTML strings (SPEC §13.1).

/// h('div', {class: 'x', onclick: fn}, child, 'text', [more]) → element.
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name === 'text') el.textContent = value;
    else if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'value' || name === 'checked' || name === 'disabled' || name === 'selected') el[name] = value;
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

let idCounter = 0;
export function uid(prefix = 'f') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

// -- form fields ------------------------------------------------------------

/// A labelled control. kind: text, password, number, textarea, select,
/// checkbox, datetime, date. Returns {el, input, get, set, error}.
export function field({ name, label, kind = 'text', value, hint, options = [], placeholder,
  required = false, min, max, step, autocomplete, rows, cls, readonly = false }) {
  const id = uid(name);
  let input;
  if (kind === 'textarea' || kind === 'code') {
    input = h('textarea', { id, name, rows: rows || (kind === 'code' ? 8 : 4), placeholder,
      class: kind === 'code' ? 'code' : undefined, spellcheck: kind === 'code' ? 'false' : undefined });
  } else if (kind === 'select') {
    input = h('select', { id, name });
    setOptions(input, options);
  } else if (kind === 'checkbox') {
    input = h('input', { id, name, type: 'checkbox' });
  } else {
    const type = kind === 'datetime' ? 'datetime-local' : kind;
    input = h('input', { id, name, type, placeholder, min, max, step, autocomplete: autocomplete || 'off' });
  }
  if (required) input.required = true;
  if (readonly) input.disabled = true;
  const hintEl = hint ? h('span', { class: 'hint', id: `${id}-hint`, text: hint }) : null;
  const errorEl = h('span', { class: 'error', id: `${id}-error`, hidden: true });
  input.setAttribute('aria-describedby', [hintEl ? `${id}-hint` : '', `${id}-error`].join(' ').trim());
  let el;
  if (kind === 'checkbox') {
    el = h('div', { class: `field ${cls || ''}` }, h('label', { class: 'check', for: id }, input, label), hintEl, errorEl);
  } else {
    el = h('div', { class: `field ${cls || ''}` }, h('label', { for: id, text: label }), input, hintEl, errorEl);
  }
  const f = {
    name, el, input,
    get() {
      if (kind === 'checkbox') return input.checked;
      if (kind === 'number') return input.value === '' ? null : Number(input.value);
      return input.value;
    },
    set(v) {
      if (kind === 'checkbox') input.checked = !!v;
      else input.value = v === null || v === undefined ? '' : String(v);
    },
    error(message) {
      errorEl.textContent = message || '';
      errorEl.hidden = !message;
      if (message) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    },
  };
  if (value !== undefined) f.set(value);
  input.addEventListener('input', () => f.error(''));
  return f;
}

export function setOptions(select, options) {
  clear(select);
  for (const o of options) {
    const opt = typeof o === 'string' ? { value: o, label: o } : o;
    select.appendChild(h('option', { value: opt.value, text: opt.label }));
  }
}

/// A set of fields: values(), errors from an API failure placed next to the
/// field the API names, else in the form's own message line.
export function form(fields, { onSubmit, submitLabel = 'Save', cancel, extra } = {}) {
  const message = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { class: 'button', type: 'submit', text: submitLabel });
  const buttons = [cancel ? h('button', { class: 'button quiet', type: 'button', text: 'Cancel', onclick: cancel }) : null, submit];
  // A field already placed inside `extra` (a fieldset of checkboxes) stays there.
  const el = h('form', { class: 'stack', novalidate: true }, fields.map((f) => (f.el ? (f.el.parentNode ? null : f.el) : f)), extra || null, message,
    h('div', { class: 'actions' }, buttons));
  const byName = Object.fromEntries(fields.filter((f) => f.name).map((f) => [f.name, f]));
  const api = {
    el, fields: byName, submit,
    values() { return Object.fromEntries(Object.entries(byName).map(([k, f]) => [k, f.get()])); },
    fail(err) {
      const target = err && err.field && byName[err.field];
      if (target) {
        target.error(err.message);
        target.input.focus();
      } else {
        message.textContent = err && err.message ? err.message : String(err);
        message.hidden = false;
      }
    },
    clearErrors() {
      message.hidden = true;
      for (const f of Object.values(byName)) f.error('');
    },
  };
  el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    api.clearErrors();
    submit.disabled = true;
    try {
      await onSubmit(api.values(), api);
    } catch (err) {
      api.fail(err);
    } finally {
      submit.disabled = false;
    }
  });
  return api;
}

/// A client-side check before sending: throws {field, message}.
export function invalid(field, message) {
  const err = new Error(message);
  err.field = field;
  return err;
}

// -- feedback ----------------------------------------------------------------

export function toast(message, kind = 'ok') {
  const box = document.getElementById('toasts');
  const t = h('div', { class: `toast ${kind === 'error' ? 'error' : ''}`, role: kind === 'error' ? 'alert' : undefined, text: message });
  box.appendChild(t);
  setTimeout(() => t.remove(), kind === 'error' ? 9000 : 4000);
}

const dialogEl = () => document.getElementById('dialog');

/// Shows a modal with `content`; resolves with the chosen action's value
/// (or null when closed with Escape).
export function openDialog({ title, content, actions = [{ label: 'Close', value: null, kind: 'quiet' }] }) {
  const dlg = dialogEl();
  document.getElementById('dialog-title').textContent = title;
  clear(document.getElementById('dialog-content')).appendChild(content);
  const bar = clear(document.getElementById('dialog-actions'));
  return new Promise((resolve) => {
    const finish = (value) => {
      dlg.removeEventListener('close', onClose);
      if (dlg.open) dlg.close();
      resolve(value);
    };
    // `close` arrives as a task after close(): when a new dialog was opened
    // in the meantime the event is stale and must not end that one.
    const onClose = () => { if (!dlg.open) finish(null); };
    dlg.addEventListener('close', onClose);
    for (const a of actions) {
      bar.appendChild(h('button', { type: 'button', class: `button ${a.kind || ''}`, text: a.label, onclick: () => finish(a.value) }));
    }
    dlg.closeDialog = finish;
    if (!dlg.open) dlg.showModal();
    const first = dlg.querySelector('input, textarea, select') || bar.querySelector('button');
    if (first) first.focus();
  });
}

export function closeDialog(value = null) {
  const dlg = dialogEl();
  if (dlg.open && dlg.closeDialog) dlg.closeDialog(value);
}

/// A form in a dialog: resolves when the form's submit handler succeeded.
export function formDialog(title, fields, onSubmit, { submitLabel = 'Save', extra } = {}) {
  let done;
  const result = new Promise((r) => { done = r; });
  const f = form(fields, {
    submitLabel, extra,
    cancel: () => closeDialog(null),
    onSubmit: async (values, api) => {
      const out = await onSubmit(values, api);
      closeDialog('saved');
      done(out === undefined ? true : out);
    },
  });
  openDialog({ title, content: f.el, actions: [] }).then((v) => { if (v === null) done(null); });
  return result;
}

export async function confirmAction(title, text, label = 'Delete') {
  const v = await openDialog({
    title, content: h('p', { text }),
    actions: [{ label: 'Cancel', value: false, kind: 'quiet' }, { label, value: true, kind: 'danger' }],
  });
  return v === true;
}

export function copyButton(getText, label = 'Copy') {
  const b = h('button', { type: 'button', class: 'button secondary small', text: label });
  b.addEventListener('click', async () => {
    const text = getText();
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Clipboard API refused (no permission): select a hidden field.
      const area = h('textarea', { 'aria-hidden': 'true', class: 'offscreen' });
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    b.textContent = 'Copied';
    setTimeout(() => { b.textContent = label; }, 1500);
  });
  return b;
}

export function snippet(text, label) {
  return h('div', { class: 'snippet' }, h('pre', { 'aria-label': label, tabindex: '0' }, h('code', { text })),
    copyButton(() => text));
}

// -- tables and formatting -----------------------------------------------------

/// columns: [{label, value(row) → Node|string, cls}]; onRow: click handler.
export function table(columns, rows, { empty = 'Nothing here yet.', onRow, caption } = {}) {
  if (!rows.length) return h('div', { class: 'table-wrap' }, h('p', { class: 'empty', text: empty }));
  const head = h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.cls, text: c.label })));
  const body = rows.map((row) => {
    const tr = h('tr', {}, columns.map((c) => {
      const v = c.value(row);
      return h('td', { class: c.cls }, v === null || v === undefined || v === '' ? '—' : v);
    }));
    if (onRow) {
      tr.classList.add('clickable');
      tr.tabIndex = 0;
      tr.addEventListener('click', (ev) => { if (!ev.target.closest('button, a, input')) onRow(row); });
      tr.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' && ev.target === tr) onRow(row); });
    }
    return tr;
  });
  return h('div', { class: 'table-wrap' }, h('table', {}, caption ? h('caption', { class: 'sr-only', text: caption }) : null,
    h('thead', {}, head), h('tbody', {}, body)));
}

export function badge(text, kind = 'neutral') {
  return h('span', { class: `badge ${kind}`, text });
}

export function healthBadge(status) {
  const kind = { healthy: 'ok', degraded: 'warn', down: 'bad' }[status] || 'neutral';
  return badge(status || 'unknown', kind);
}

/// A filled bar for `used` of `limit` (null limit: no bar).
export function bar(used, limit, label) {
  if (!limit) return null;
  const pct = Math.min(100, Math.round((used / limit) * 100));
  const span = h('span');
  span.style.width = `${pct}%`;
  return h('div', { class: `bar ${pct >= 100 ? 'bad' : pct >= 80 ? 'warn' : ''}`, role: 'progressbar',
    'aria-label': label, 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(pct) }, span);
}

export const fmt = {
  int(n) { return n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US'); },
  ms(n) {
    if (n === null || n === undefined) return '—';
    if (n >= 1000) return `${(n / 1000).toFixed(n >= 10000 ? 0 : 1)} s`;
    return `${Math.round(n)} ms`;
  },
  /// "1 error", "3 errors".
  count(n, word) { return `${fmt.int(n)} ${word}${n === 1 ? '' : 's'}`; },
  dollars(cents) {
    if (cents === null || cents === undefined) return '—';
    const d = cents / 100;
    if (d !== 0 && Math.abs(d) < 0.01) return `$${d.toFixed(4)}`;
    return `$${d.toFixed(2)}`;
  },
  micros(m) { return fmt.dollars((m || 0) / 10000); },
  time(iso) {
    if (!iso) return '—';
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  },
  ago(iso) {
    if (!iso) return 'never';
    const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
    if (s < 60) return `${Math.max(s, 0)} s ago`;
    if (s < 3600) return `${Math.round(s / 60)} min ago`;
    if (s < 86400) return `${Math.round(s / 3600)} h ago`;
    return `${Math.round(s / 86400)} d ago`;
  },
  pct(x) { return `${(x * 100).toFixed(1)}%`; },
};

/// Section heading with optional buttons on the right.
export function pageHead(title, subtitle, ...buttons) {
  return h('div', { class: 'page-head' },
    h('div', {}, h('h1', { text: title }), subtitle ? h('p', { class: 'muted', text: subtitle }) : null),
    h('div', { class: 'row' }, buttons));
}

export function button(label, onclick, kind = '', extra = {}) {
  return h('button', { type: 'button', class: `button ${kind}`, text: label, onclick, ...extra });
}

/// Runs `fn` every `ms` while the page is shown; a failure is reported once
/// (not on every tick) until an update succeeds again.
export function poll(fn, ms) {
  let failing = false;
  let stopped = false;
  const timer = setInterval(async () => {
    if (document.hidden) return;
    try {
      await fn();
      failing = false;
    } catch (err) {
      if (!failing && !stopped) toast(`Live update failed: ${err.message}`, 'error');
      failing = true;
    }
  }, ms);
  return () => { stopped = true; clearInterval(timer); };
}

/// A number field's value, or null; throws a field error when it is not a
/// whole number within [min, max].
export function wholeNumber(values, name, label, min = 0, max = 1e12) {
  const v = values[name];
  if (v === null || v === undefined || v === '') return null;
  if (!Number.isInteger(v) || v < min || v > max) throw invalid(name, `${label} must be a whole number from ${min} to ${max}.`);
  return v;
}
