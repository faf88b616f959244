// Accessibility checks run inside the page (our own, offline): every
// control has an accessible name, images have alt text, the document has a
// language, and visible text meets WCAG AA contrast against what is behind
// it (4.5:1, or 3:1 for large text). Returns a list of problems.

export async function auditPage(page) {
  return page.evaluate(() => {
    const problems = [];
    const visible = (el) => {
      if (!(el instanceof Element)) return false;
      if (el.closest('[hidden], [aria-hidden="true"]')) return false;
      const rects = el.getClientRects();
      if (!rects.length) return false;
      const st = getComputedStyle(el);
      return st.visibility !== 'hidden' && st.display !== 'none' && !el.classList.contains('offscreen');
    };
    const textOf = (el) => (el ? el.textContent.replace(/\s+/g, ' ').trim() : '');
    const nameOf = (el) => {
      if (el.getAttribute('aria-label')) return el.getAttribute('aria-label').trim();
      const by = el.getAttribute('aria-labelledby');
      if (by) return by.split(/\s+/).map((id) => textOf(document.getElementById(id))).join(' ').trim();
      if (el.labels && el.labels.length) return [...el.labels].map(textOf).join(' ').trim();
      if (el.tagName === 'BUTTON' || el.tagName === 'A' || el.tagName === 'SUMMARY') return textOf(el);
      return (el.getAttribute('title') || '').trim();
    };
    const describe = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} "${textOf(el).slice(0, 40)}"`;

    if (!document.documentElement.lang) problems.push('html has no lang');
    for (const el of document.querySelectorAll('input, select, textarea, button, a[href]')) {
      if (!visible(el)) continue;
      if (!nameOf(el)) problems.push(`no accessible name: ${describe(el)}`);
    }
    for (const img of document.querySelectorAll('img')) {
      if (!img.hasAttribute('alt')) problems.push(`img without alt: ${img.src}`);
    }

    // Contrast.
    const parse = (c) => {
      const m = c && c.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
      return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
    };
    const over = (top, bottom) => ({
      r: top.r * top.a + bottom.r * (1 - top.a),
      g: top.g * top.a + bottom.g * (1 - top.a),
      b: top.b * top.a + bottom.b * (1 - top.a),
      a: 1,
    });
    const background = (el) => {
      const layers = [];
      for (let e = el; e; e = e.parentElement) {
        const bg = parse(getComputedStyle(e).backgroundColor);
        if (bg && bg.a > 0) {
          layers.push(bg);
          if (bg.a >= 1) break;
        }
      }
      let color = { r: 255, g: 255, b: 255, a: 1 };
      if (matchMedia('(prefers-color-scheme: dark)').matches) color = { r: 0, g: 0, b: 0, a: 1 };
      for (let i = layers.length - 1; i >= 0; i--) color = over(layers[i], color);
      return color;
    };
    const lum = ({ r, g, b }) => {
      const ch = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b);
    };
    const ratio = (a, b) => {
      const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
      return (x + 0.05) / (y + 0.05);
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.textContent.trim()) continue;
      const el = n.parentElement;
      if (!el || seen.has(el) || !visible(el)) continue;
      seen.add(el);
      if (el.closest('button:disabled, input:disabled, select:disabled, option')) continue; // exempt (WCAG 1.4.3)
      const st = getComputedStyle(el);
      const isSvg = el instanceof SVGElement;
      const fg = parse(isSvg ? st.fill : st.color);
      if (!fg) continue;
      const bg = background(isSvg ? el.closest('svg').parentElement : el);
      const size = parseFloat(st.fontSize);
      const bold = Number(st.fontWeight) >= 700;
      const large = size >= 24 || (bold && size >= 18.66);
      const need = large ? 3 : 4.5;
      const r = ratio(over(fg, bg), bg);
      if (r < need) problems.push(`contrast ${r.toFixed(2)} < ${need}: ${describe(el)} (${st.color} on rgb(${Math.round(bg.r)},${Math.round(bg.g)},${Math.round(bg.b)}))`);
    }
    return problems;
  });
}
