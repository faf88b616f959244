// Small SVG charts drawn by our own code: bars (optionally two stacked
// series) and lines over time. Sizes come from a fixed viewBox, so the page
// needs no inline styles.

const NS = 'http://www.w3.org/2000/svg';
// Drawn at about the size shown (text is never stretched): phones get a
// narrower canvas rather than a scaled-down one.
let W = 600;
const H = 160;
// `wide`: a chart across the whole page rather than half of it.
const fitWidth = (wide) => {
  if (window.innerWidth < 760) W = Math.max(280, window.innerWidth - 60);
  else W = wide ? Math.min(1160, window.innerWidth - 120) : 600;
};
const PAD = { left: 58, right: 8, top: 10, bottom: 22 };

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/// Whole numbers as such, small ones with a decimal (a max of 1 labels
/// its middle line 0.5, not 1).
function plain(v) {
  return Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 1 : 0);
}

function frame(label, max, formatY, xLabels, empty, wide) {
  fitWidth(wide);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': label });
  const plotH = H - PAD.top - PAD.bottom;
  for (let i = 0; i <= 2; i++) {
    const y = PAD.top + (plotH * i) / 2;
    svg.appendChild(s('line', { x1: PAD.left, x2: W - PAD.right, y1: y, y2: y, class: 'grid' }));
    svg.appendChild(s('text', { x: PAD.left - 6, y: y + 4, 'text-anchor': 'end' }, formatY(max * (1 - i / 2))));
  }
  if (xLabels.length) {
    const first = xLabels[0];
    const last = xLabels[xLabels.length - 1];
    svg.appendChild(s('text', { x: PAD.left, y: H - 6 }, first));
    svg.appendChild(s('text', { x: W - PAD.right, y: H - 6, 'text-anchor': 'end' }, last));
  }
  if (empty) {
    svg.appendChild(s('text', { x: (PAD.left + W - PAD.right) / 2, y: PAD.top + plotH / 2, 'text-anchor': 'middle', class: 'chart-empty' }, empty));
  }
  return svg;
}

/// Bars for `a` (and `b` stacked on top, e.g. errors within requests).
export function barChart({ label, values, stacked = null, xLabels = [], formatY = plain, empty = 'Nothing yet', wide = false }) {
  const max = niceMax(Math.max(0, ...values));
  const svg = frame(label, max, formatY, xLabels, values.some((v) => v) ? null : empty, wide);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const n = Math.max(values.length, 1);
  const bw = plotW / n;
  values.forEach((v, i) => {
    if (!v) return;
    const hgt = (v / max) * plotH;
    const x = PAD.left + i * bw + bw * 0.12;
    svg.appendChild(s('rect', { x, y: PAD.top + plotH - hgt, width: Math.max(bw * 0.76, 1), height: hgt, class: 'series-1' }));
    const e = stacked ? stacked[i] : 0;
    if (e) {
      const eh = (Math.min(e, v) / max) * plotH;
      svg.appendChild(s('rect', { x, y: PAD.top + plotH - eh, width: Math.max(bw * 0.76, 1), height: eh, class: 'series-2' }));
    }
  });
  return svg;
}

/// One or two lines; null values leave gaps.
export function lineChart({ label, series, xLabels = [], formatY = plain, empty = 'Nothing yet' }) {
  const all = series.flatMap((x) => x.values.filter((v) => v !== null && v !== undefined));
  const max = niceMax(Math.max(0, ...all));
  const svg = frame(label, max, formatY, xLabels, all.length ? null : empty);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  series.forEach((ser, k) => {
    const n = Math.max(ser.values.length - 1, 1);
    let d = '';
    let pen = false;
    ser.values.forEach((v, i) => {
      if (v === null || v === undefined) { pen = false; return; }
      const x = PAD.left + (plotW * i) / n;
      const y = PAD.top + plotH - (v / max) * plotH;
      d += `${pen ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)} `;
      pen = true;
      svg.appendChild(s('circle', { cx: x, cy: y, r: 2.2, class: `series-${k + 1}` }));
    });
    if (d) svg.appendChild(s('path', { d, class: `line series-${k + 1}` }));
  });
  return svg;
}

/// A legend line: [{label, series: 1|2}].
export function legend(items) {
  const box = document.createElement('div');
  box.className = 'legend';
  for (const it of items) {
    const span = document.createElement('span');
    const sw = document.createElement('span');
    sw.className = `swatch series-${it.series}`;
    span.appendChild(sw);
    span.appendChild(document.createTextNode(it.label));
    box.appendChild(span);
  }
  return box;
}
