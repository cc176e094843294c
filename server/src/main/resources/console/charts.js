// dpq console charts: inline SVG drawn with DOM calls (no library, no innerHTML); labels are text nodes.
'use strict';
(function () {
  const DPQ = window.DPQ = window.DPQ || {};
  const NS = 'http://www.w3.org/2000/svg';
  const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f',
    '#bab0ac'];

  function svg(tag, attrs, text) {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) { e.setAttribute(k, String(v)); }
    if (text !== undefined) { e.textContent = String(text); }
    return e;
  }

  function titled(node, text) {
    node.appendChild(svg('title', {}, text));
    return node;
  }

  /** A round step (1, 2 or 5 times a power of ten) that cuts {@code span} into about four. */
  function niceStep(span) {
    const raw = span / 4;
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    const f = raw / p;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
  }

  /** The axes with grid lines at round values between lo and hi (both multiples of the step). */
  function axes(root, x0, y0, x1, y1, lo, hi, step, Y) {
    root.appendChild(svg('line', { x1: x0, y1: y1, x2: x1, y2: y1, class: 'axis' }));
    root.appendChild(svg('line', { x1: x0, y1: y0, x2: x0, y2: y1, class: 'axis' }));
    for (let v = lo; v <= hi + step / 2; v += step) {
      const y = Y(v);
      root.appendChild(svg('line', { x1: x0, y1: y, x2: x1, y2: y, class: 'gridline' }));
      root.appendChild(svg('text', { x: x0 - 6, y: y + 4, 'text-anchor': 'end', class: 'tick' },
        DPQ.num(Math.round(v / step) * step)));
    }
  }

  /** [lo, hi, step]: the range widened to round values. */
  function range(lo, hi) {
    if (!(hi > lo)) { hi = lo + 1; }
    const step = niceStep(hi - lo);
    return [Math.floor(lo / step) * step, Math.ceil(hi / step) * step, step];
  }

  /**
   * The burn-down chart: cumulative epsilon charged per analyst, stacked, as steps over the ledger's time, and
   * the dataset's total as a dashed line; the gap between them is what remains. Abandoned charges stay charged.
   */
  DPQ.burnDown = function (container, legend, history) {
    DPQ.clear(container);
    DPQ.clear(legend);
    const cum = {};
    const order = [];
    const points = [];
    let total = 0;
    for (const e of history) {
      if (e.totalAfter) { total = Number(e.totalAfter.epsilon); }
      if (e.kind === 'CHARGE' && e.cost) {
        if (!(e.analyst in cum)) { cum[e.analyst] = 0; order.push(e.analyst); }
        cum[e.analyst] += Number(e.cost.epsilon);
      }
      if (e.kind === 'INIT' || e.kind === 'CHARGE' || e.kind === 'RAISE') {
        points.push({ t: Date.parse(e.time), total, cum: Object.assign({}, cum) });
      }
    }
    if (points.length === 0) { container.appendChild(DPQ.el('p', {}, 'No ledger entries yet.')); return; }
    points.push({ t: Date.now(), total, cum: Object.assign({}, cum) });
    const W = 680, H = 280, x0 = 56, y0 = 12, x1 = W - 16, y1 = H - 36;
    const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', id: 'burndown-svg' });
    root.appendChild(svg('title', {}, 'Budget burn-down: epsilon spent by analyst against the total'));
    const tMin = points[0].t, tMax = points[points.length - 1].t;
    const useIndex = !(tMax - tMin > 1000);
    const xs = points.map((p, i) => useIndex ? i / (points.length - 1) : (p.t - tMin) / (tMax - tMin));
    const sums = points.map(p => order.reduce((s, a) => s + (p.cum[a] || 0), 0));
    const [, yMax, step] = range(0, Math.max(...points.map(p => p.total), ...sums, 1e-9) * 1.05);
    const X = f => x0 + f * (x1 - x0);
    const Y = v => y1 - v / yMax * (y1 - y0);
    axes(root, x0, y0, x1, y1, 0, yMax, step, Y);
    const base = points.map(() => 0);
    order.forEach((a, k) => {
      const top = points.map((p, i) => base[i] + (p.cum[a] || 0));
      let d = '';
      points.forEach((p, i) => {
        if (i === 0) { d += `M${X(xs[0])},${Y(top[0])}`; } else { d += ` L${X(xs[i])},${Y(top[i - 1])} L${X(xs[i])},${Y(top[i])}`; }
      });
      for (let i = points.length - 1; i >= 0; i--) {
        d += ` L${X(xs[i])},${Y(base[i])}`;
        if (i > 0) { d += ` L${X(xs[i])},${Y(base[i - 1])}`; }
      }
      d += ' Z';
      const color = COLORS[k % COLORS.length];
      root.appendChild(titled(svg('path', { d, fill: color, 'fill-opacity': 0.8, class: 'area', 'data-analyst': a }),
        a + ': ε ' + DPQ.num(points[points.length - 1].cum[a])));
      top.forEach((v, i) => { base[i] = v; });
      const sw = svg('svg', { width: 12, height: 12, class: 'swatch' });
      sw.appendChild(svg('rect', { width: 12, height: 12, fill: color }));
      legend.appendChild(DPQ.el('span', { class: 'legend-item' }, sw, ' ' + a));
    });
    let d = '';
    points.forEach((p, i) => {
      d += i === 0 ? `M${X(xs[0])},${Y(p.total)}` : ` L${X(xs[i])},${Y(points[i - 1].total)} L${X(xs[i])},${Y(p.total)}`;
    });
    root.appendChild(titled(svg('path', { d, class: 'total-line', fill: 'none' }), 'total ε ' + DPQ.num(total)));
    const last = sums[sums.length - 1];
    root.appendChild(svg('text', { x: x1, y: Math.max(Y(total) - 6, y0 + 10), 'text-anchor': 'end', class: 'tick' },
      'total ε ' + DPQ.num(total) + ', remaining ε ' + DPQ.num(total - last)));
    const fmtT = t => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
    root.appendChild(svg('text', { x: x0, y: H - 12, class: 'tick' }, fmtT(tMin)));
    root.appendChild(svg('text', { x: x1, y: H - 12, 'text-anchor': 'end', class: 'tick' }, fmtT(tMax)));
    const sw = svg('svg', { width: 18, height: 12, class: 'swatch' });
    sw.appendChild(svg('line', { x1: 0, y1: 6, x2: 18, y2: 6, class: 'total-line' }));
    legend.appendChild(DPQ.el('span', { class: 'legend-item' }, sw, ' total'));
    container.appendChild(root);
  };

  /** A bar per group with its 95% interval as an error bar; labels are the released group keys, as text. */
  DPQ.bars = function (container, title, labels, values, lows, highs) {
    DPQ.clear(container);
    const n = labels.length;
    const W = Math.max(360, Math.min(900, 60 + n * 56)), H = 260, x0 = 60, y0 = 24, x1 = W - 12, y1 = H - 40;
    const [lo, hi, step] = range(Math.min(0, ...lows.filter(isFinite), ...values),
      Math.max(0, ...highs.filter(isFinite), ...values));
    const Y = v => y1 - (v - lo) / (hi - lo) * (y1 - y0);
    const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', id: 'result-bars' });
    root.appendChild(svg('title', {}, title));
    root.appendChild(svg('text', { x: x0, y: 14, class: 'tick' }, title + ' (bars: noisy value; whiskers: 95% interval)'));
    axes(root, x0, y0, x1, y1, lo, hi, step, Y);
    const slot = (x1 - x0) / n;
    labels.forEach((label, i) => {
      const cx = x0 + slot * (i + 0.5);
      const bw = Math.min(40, slot * 0.6);
      const top = Math.min(Y(values[i]), Y(0)), h = Math.abs(Y(values[i]) - Y(0));
      root.appendChild(titled(svg('rect', { x: cx - bw / 2, y: top, width: bw, height: Math.max(h, 0.5), class: 'bar' }),
        label + ': ' + DPQ.num(values[i]) + ' [' + DPQ.num(lows[i]) + ', ' + DPQ.num(highs[i]) + ']'));
      if (isFinite(lows[i]) && isFinite(highs[i])) {
        root.appendChild(svg('line', { x1: cx, y1: Y(lows[i]), x2: cx, y2: Y(highs[i]), class: 'whisker' }));
        root.appendChild(svg('line', { x1: cx - 6, y1: Y(lows[i]), x2: cx + 6, y2: Y(lows[i]), class: 'whisker' }));
        root.appendChild(svg('line', { x1: cx - 6, y1: Y(highs[i]), x2: cx + 6, y2: Y(highs[i]), class: 'whisker' }));
      }
      const shown = label.length > 14 ? label.slice(0, 13) + '…' : label;
      root.appendChild(svg('text', { x: cx, y: y1 + 16, 'text-anchor': 'middle', class: 'tick bar-label' }, shown));
    });
    container.appendChild(root);
  };
})();
