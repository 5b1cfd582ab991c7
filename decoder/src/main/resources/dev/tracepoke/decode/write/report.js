// tracepoke report: draws the per-core lanes from the inline data. Everything is aggregated to
// pixel columns on each draw, so the page holds a few arrays per core, never a node per instruction.
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('data').textContent);
  var cv = document.getElementById('lanes');
  var tip = document.getElementById('tip');
  var viewLabel = document.getElementById('view');
  var ctx = cv.getContext('2d');
  var LABEL = 64, AXIS = 24, DENSITY = 20, EVENTS = 10, MARKS = 12, GAP = 12;
  var SERIES = ['insns', 'flagged', 'exc', 'irq', 'cse', 'gap', 'err', 'resolved', 'wrong', 'unresolved', 'silent'];
  var OUTCOMES = ['silent', 'wrong', 'unresolved', 'resolved']; // worst first: a column shows its worst
  var COLOR = { resolved: '#1f9d3a', wrong: '#d62828', unresolved: '#e0a000', silent: '#7b00a8' };
  var NAME = { resolved: D.truth ? 'resolved right' : 'resolved', wrong: 'resolved wrong', unresolved: 'unresolved',
    silent: 'silent error' };

  var lanes = D.lanes.map(function (l) {
    var s = {};
    SERIES.forEach(function (k) {
      var a = new Float64Array(D.bins), v = l.s[k];
      if (v) { for (var i = 0; i < v.length; i += 2) { a[v[i]] = v[i + 1]; } }
      s[k] = a;
    });
    return { cpu: l.cpu, s: s, ex: l.ex };
  });
  var sites = D.sites;
  var siteH = sites.length ? Math.max(3, Math.min(8, Math.floor(180 / sites.length))) : 0;
  var laneH = DENSITY + EVENTS + MARKS + sites.length * siteH + GAP;
  var full0 = D.first, full1 = D.last;
  if (full0 !== null && full1 <= full0) { full1 = full0 + 1; }
  var t0 = full0, t1 = full1;
  var drag = null;

  function pad(n, w) { var s = String(n); while (s.length < w) { s = '0' + s; } return s; }
  function abs(t) { return Math.floor(t / 1e9) + '.' + pad(Math.round(t % 1e9), 9); }
  function rel(t) { return ((t - full0) / 1000).toFixed(3) + ' µs'; }
  function plotW() { return cv.clientWidth - LABEL - 8; }
  function X(t) { return LABEL + (t - t0) / (t1 - t0) * plotW(); }
  function T(x) { return t0 + (x - LABEL) / plotW() * (t1 - t0); }
  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; }); }

  function size() {
    var dpr = window.devicePixelRatio || 1;
    var h = AXIS + lanes.length * laneH + 4;
    cv.style.height = h + 'px';
    cv.width = Math.round(cv.clientWidth * dpr);
    cv.height = Math.round(h * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  }

  /** Sums each series of a lane into pixel columns: density spread by overlap, events at the bin's middle. */
  function columns(l, cols) {
    var out = {};
    SERIES.forEach(function (k) { out[k] = new Float64Array(cols); });
    var b0 = Math.max(0, Math.floor((t0 - D.base) / D.width));
    var b1 = Math.min(D.bins - 1, Math.floor((t1 - D.base) / D.width));
    for (var b = b0; b <= b1; b++) {
      var xa = X(D.base + b * D.width) - LABEL, xb = X(D.base + (b + 1) * D.width) - LABEL;
      var mid = Math.floor((xa + xb) / 2);
      for (var k = 0; k < SERIES.length; k++) {
        var name = SERIES[k], v = l.s[name][b];
        if (!v) { continue; }
        if (name === 'insns' || name === 'flagged') {
          var ca = Math.max(0, Math.floor(xa)), cb = Math.min(cols - 1, Math.ceil(xb) - 1);
          if (cb <= ca) { if (ca < cols && ca >= 0) { out[name][ca] += v; } continue; }
          for (var c = ca; c <= cb; c++) {
            var ov = Math.min(xb, c + 1) - Math.max(xa, c);
            if (ov > 0) { out[name][c] += v * ov / (xb - xa); }
          }
        } else if (mid >= 0 && mid < cols) {
          out[name][mid] += v;
        }
      }
    }
    return out;
  }

  function shade(f) { // light blue to dark blue
    var a = [223, 233, 245], z = [11, 60, 116];
    return 'rgb(' + Math.round(a[0] + (z[0] - a[0]) * f) + ',' + Math.round(a[1] + (z[1] - a[1]) * f) + ',' +
      Math.round(a[2] + (z[2] - a[2]) * f) + ')';
  }

  function axis(W) {
    ctx.fillStyle = '#333'; ctx.strokeStyle = '#ccc'; ctx.font = '11px system-ui, sans-serif';
    var span = t1 - t0, want = span / Math.max(1, plotW() / 120);
    var step = Math.pow(10, Math.floor(Math.log10(want)));
    if (want / step > 5) { step *= 5; } else if (want / step > 2) { step *= 2; }
    var first = Math.ceil((t0 - full0) / step) * step + full0;
    var digits = Math.max(0, 3 - Math.floor(Math.log10(step)));
    for (var t = first; t <= t1; t += step) {
      var x = Math.round(X(t)) + 0.5;
      ctx.beginPath(); ctx.moveTo(x, AXIS - 6); ctx.lineTo(x, AXIS + lanes.length * laneH); ctx.stroke();
      ctx.fillText(((t - full0) / 1000).toFixed(Math.min(3, digits)) + ' µs', x + 3, AXIS - 10);
    }
  }

  function draw() {
    size();
    var W = cv.clientWidth, cols = Math.max(1, Math.ceil(plotW()));
    ctx.clearRect(0, 0, W, cv.height);
    if (full0 === null) {
      ctx.fillStyle = '#555'; ctx.font = '13px system-ui, sans-serif';
      ctx.fillText('The trace has no timestamps: nothing to place in time.', LABEL, AXIS + 20);
      return;
    }
    axis(W);
    var agg = lanes.map(function (l) { return columns(l, cols); });
    var max = 0;
    agg.forEach(function (a) { for (var c = 0; c < cols; c++) { if (a.insns[c] > max) { max = a.insns[c]; } } });
    var lmax = Math.log(1 + max);
    lanes.forEach(function (l, li) {
      var a = agg[li], y = AXIS + li * laneH;
      ctx.fillStyle = '#222'; ctx.font = '12px system-ui, sans-serif';
      ctx.fillText('cpu ' + l.cpu, 6, y + 14);
      ctx.fillStyle = '#f6f8fb'; ctx.fillRect(LABEL, y, cols, DENSITY);
      for (var c = 0; c < cols; c++) {
        if (a.insns[c] > 0) {
          ctx.fillStyle = shade(lmax > 0 ? Math.log(1 + a.insns[c]) / lmax : 0);
          ctx.fillRect(LABEL + c, y, 1, DENSITY);
        }
        if (a.flagged[c] > 0) { ctx.fillStyle = '#d95f02'; ctx.fillRect(LABEL + c, y + DENSITY - 4, 1, 4); }
        var ye = y + DENSITY;
        if (a.cse[c] > 0) { ctx.fillStyle = '#555'; ctx.fillRect(LABEL + c, ye + EVENTS - 4, 1, 4); }
        if (a.exc[c] > 0) { ctx.fillStyle = '#e07b00'; ctx.fillRect(LABEL + c, ye + 1, 2, EVENTS - 1); }
        if (a.irq[c] > 0) { ctx.fillStyle = '#7a4fbf'; ctx.fillRect(LABEL + c, ye + 1, 2, EVENTS - 1); }
        if (a.gap[c] > 0 || a.err[c] > 0) { ctx.fillStyle = '#000'; ctx.fillRect(LABEL + c, y, 1, DENSITY + EVENTS); }
      }
      var ym = y + DENSITY + EVENTS;
      for (c = 0; c < cols; c++) {
        for (var k = 0; k < OUTCOMES.length; k++) {
          if (a[OUTCOMES[k]][c] > 0) {
            ctx.fillStyle = COLOR[OUTCOMES[k]];
            ctx.beginPath(); ctx.moveTo(LABEL + c - 4, ym + 2); ctx.lineTo(LABEL + c + 5, ym + 2);
            ctx.lineTo(LABEL + c + 0.5, ym + MARKS - 1); ctx.closePath(); ctx.fill();
            break;
          }
        }
      }
      var ys = ym + MARKS;
      ctx.save(); ctx.beginPath(); ctx.rect(LABEL, y, cols, laneH); ctx.clip();
      sites.forEach(function (s, si) {
        var yy = ys + si * siteH;
        ctx.fillStyle = si % 2 ? '#fafafa' : '#f2f2f2'; ctx.fillRect(LABEL, yy, cols, siteH - 1);
        s.w.forEach(function (w) {
          var a0 = w.start === null ? full0 : w.start;
          var d = w.done === null ? Math.max(t1, full1) : w.done;
          var cl = w.close[li] === null ? Math.max(t1, full1) : w.close[li];
          var xa = X(a0), xd = X(d), xc = X(cl);
          ctx.fillStyle = '#9cc3ec'; ctx.fillRect(xd, yy, Math.max(1, xc - xd), siteH - 1);
          ctx.fillStyle = '#2b6cb0'; ctx.fillRect(xa, yy, Math.max(1, xd - xa), siteH - 1);
        });
      });
      ctx.restore();
      ctx.strokeStyle = '#ddd'; ctx.beginPath(); ctx.moveTo(0, y + laneH - GAP / 2); ctx.lineTo(W, y + laneH - GAP / 2); ctx.stroke();
    });
    viewLabel.textContent = 'showing ' + rel(t0) + ' – ' + rel(t1) + ' (' + ((t1 - t0) / 1000).toFixed(3) + ' µs)';
  }

  function tipAt(mx, my) {
    var li = Math.floor((my - AXIS) / laneH), oy = (my - AXIS) - li * laneH;
    if (full0 === null || mx < LABEL || li < 0 || li >= lanes.length || oy > laneH - GAP) { tip.hidden = true; return; }
    var l = lanes[li], ta = T(mx - 2), tb = T(mx + 2), t = T(mx);
    var b0 = Math.max(0, Math.floor((ta - D.base) / D.width)), b1 = Math.min(D.bins - 1, Math.floor((tb - D.base) / D.width));
    var sum = {};
    SERIES.forEach(function (k) { sum[k] = 0; });
    var ex = [];
    for (var b = b0; b <= b1; b++) {
      SERIES.forEach(function (k) { sum[k] += l.s[k][b]; });
      if (l.ex[b]) { ex = ex.concat(l.ex[b]); }
    }
    var h = '<b>cpu ' + l.cpu + '</b> at ' + rel(t) + ' <span class="mono">(' + abs(t) + ')</span><br>' +
      'instructions ' + Math.round(sum.insns) + (sum.flagged ? ', flagged ' + Math.round(sum.flagged) : '') +
      ' · exceptions ' + sum.exc + ' · interrupts ' + sum.irq + ' · CSEs ' + sum.cse +
      (sum.gap ? ' · gaps ' + sum.gap : '') + (sum.err ? ' · errors ' + sum.err : '');
    var outs = OUTCOMES.filter(function (k) { return sum[k] > 0; });
    if (outs.length) {
      h += '<br>ambiguous: ' + outs.map(function (k) { return '<span style="color:' + COLOR[k] + '">' + NAME[k] + ' ' + sum[k] + '</span>'; }).join(' · ');
    }
    ex.slice(0, 8).forEach(function (e) {
      h += '<br><span class="mono">pc ' + e.pc + '</span> ' + esc(e.sym) +
        (e.cand.length ? ' <span class="mono">candidates ' + e.cand.join(' / ') + '</span>' : '') +
        (e.word ? ' <span class="mono">→ ' + e.word + '</span>' : '') +
        ' <span style="color:' + COLOR[e.o] + '">' + NAME[e.o] + '</span>' + (e.n > 1 ? ' ×' + e.n : '');
    });
    var si = Math.floor((oy - DENSITY - EVENTS - MARKS) / (siteH || 1));
    if (oy >= DENSITY + EVENTS + MARKS && si >= 0 && si < sites.length) {
      var s = sites[si];
      h += '<hr>site <span class="mono">' + s.pc + '</span> ' + esc(s.sym);
      s.w.forEach(function (w) {
        var a0 = w.start === null ? -Infinity : w.start, cl = w.close[li] === null ? Infinity : w.close[li];
        if (t >= a0 - (tb - ta) && t <= cl + (tb - ta)) {
          h += '<br>window #' + w.i + ' (' + w.style + ') <span class="mono">' + w.old + ' → ' + w['new'] + '</span>: record ' +
            (w.start === null ? 'unknown' : rel(w.start)) + ', maintenance done ' + (w.done === null ? 'never known' : rel(w.done)) +
            ', closed on cpu ' + l.cpu + ' ' + (w.close[li] === null ? 'never (open at the end)' : 'at ' + rel(w.close[li]));
        }
      });
    }
    tip.innerHTML = h;
    tip.hidden = false;
    var box = cv.parentNode.getBoundingClientRect();
    var x = mx + 14, y = my + 14;
    if (x + tip.offsetWidth > box.width) { x = Math.max(0, mx - 14 - tip.offsetWidth); }
    tip.style.left = x + 'px'; tip.style.top = y + 'px';
  }

  function clamp() {
    var span = Math.min(t1 - t0, full1 - full0);
    span = Math.max(span, 20);
    if (t0 < full0) { t0 = full0; t1 = t0 + span; }
    if (t1 > full1) { t1 = full1; t0 = t1 - span; }
  }

  function pos(e) { var r = cv.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; }

  cv.addEventListener('wheel', function (e) {
    if (full0 === null) { return; }
    e.preventDefault();
    var p = pos(e), tm = T(p[0]), f = e.deltaY > 0 ? 1.25 : 0.8;
    t0 = tm - (tm - t0) * f; t1 = tm + (t1 - tm) * f;
    clamp(); draw(); tipAt(p[0], p[1]);
  }, { passive: false });
  cv.addEventListener('mousedown', function (e) { var p = pos(e); drag = { x: p[0], t0: t0, t1: t1 }; cv.style.cursor = 'grabbing'; });
  window.addEventListener('mouseup', function () { drag = null; cv.style.cursor = 'grab'; });
  cv.addEventListener('mousemove', function (e) {
    var p = pos(e);
    if (drag) {
      var dt = (p[0] - drag.x) / plotW() * (drag.t1 - drag.t0);
      t0 = drag.t0 - dt; t1 = drag.t1 - dt; clamp(); draw();
    }
    tipAt(p[0], p[1]);
  });
  cv.addEventListener('mouseleave', function () { tip.hidden = true; });
  function whole() { t0 = full0; t1 = full1; draw(); }
  cv.addEventListener('dblclick', whole);
  document.getElementById('reset').addEventListener('click', whole);
  window.addEventListener('resize', draw);
  var began = performance.now();
  draw();
  document.body.setAttribute('data-rendered', String(lanes.length));
  document.body.setAttribute('data-draw-ms', (performance.now() - began).toFixed(1));
  // from navigation start to the first drawing done: what a user waits for
  document.body.setAttribute('data-ready-ms', performance.now().toFixed(0));

  // '#selftest' (the browser test): zoom, pan and hover as a user would, so their errors show too
  if (location.hash === '#selftest' && full0 !== null) {
    var r = cv.getBoundingClientRect(), cx = r.left + LABEL + plotW() / 2, cy = r.top + AXIS + DENSITY + EVENTS + 4;
    cv.dispatchEvent(new WheelEvent('wheel', { clientX: cx, clientY: cy, deltaY: -100, bubbles: true, cancelable: true }));
    cv.dispatchEvent(new MouseEvent('mousedown', { clientX: cx, clientY: cy, bubbles: true }));
    cv.dispatchEvent(new MouseEvent('mousemove', { clientX: cx - 40, clientY: cy, bubbles: true }));
    window.dispatchEvent(new MouseEvent('mouseup', { clientX: cx - 40, clientY: cy, bubbles: true }));
    cv.dispatchEvent(new MouseEvent('mousemove', { clientX: cx, clientY: cy + MARKS + siteH, bubbles: true }));
    var tipText = tip.textContent;
    cv.dispatchEvent(new MouseEvent('dblclick', { clientX: cx, clientY: cy, bubbles: true }));
    document.body.setAttribute('data-selftest', tip.hidden ? 'tooltip hidden' : 'ok ' + tipText.length);
  }
})();
