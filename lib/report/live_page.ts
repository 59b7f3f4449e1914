/**
 * The live report's page: the static report's style and Vega builds, empty
 * regions, and a script that fills them from the server's event stream
 * (`/events`) and keeps every chart's Vega view current through changesets.
 * @module
 */
import { escapeHtml as h } from "./escape.ts";
import { PAGE_STYLE } from "./html.ts";

const LIVE_STYLE = `
.live { position: fixed; top: 8px; right: 12px; font-size: 12px; padding: 2px 10px; border-radius: 10px; background: #eee; color: #555; }
.live.on { background: #e5f4e8; color: #185c2a; }
.live.off { background: #fbe4e4; color: #8f1d1d; }
`;

/**
 * The page script. `window.__live` exposes the views (by chart element id) and counters, for tests and the
 * browser console.
 */
const LIVE_SCRIPT = `
(function () {
  var live = { views: {}, events: 0, updates: 0, errors: [], connected: false };
  window.__live = live;
  var queue = {};
  var badge = document.getElementById('live-state');
  function later(id, job) {
    queue[id] = (queue[id] || Promise.resolve()).then(job).catch(function (err) {
      live.errors.push(id + ': ' + err);
      console.error('chart ' + id + ': ' + err);
    });
    return queue[id];
  }
  var sent = {}; // each region's HTML as the server last described it (patches edit this, not the DOM's form)
  function region(name) {
    if (name.indexOf('section:') === 0) return document.getElementById('section-' + name.slice(8));
    return document.getElementById('live-' + name);
  }
  function setHtml(el, html) {
    var old = {};
    el.querySelectorAll('.chart').forEach(function (c) { old[c.id] = c; });
    el.innerHTML = html;
    el.querySelectorAll('.chart').forEach(function (c) {
      var kept = old[c.id];
      if (kept) { kept.className = c.className; c.replaceWith(kept); }
    });
  }
  function sections(ids) {
    var main = document.getElementById('live-sections');
    var have = {};
    main.querySelectorAll(':scope > section').forEach(function (s) { have[s.id] = s; });
    ids.forEach(function (id) {
      var s = have['section-' + id];
      if (!s) { s = document.createElement('section'); s.id = 'section-' + id; }
      main.appendChild(s);
      delete have['section-' + id];
    });
    Object.keys(have).forEach(function (k) { have[k].remove(); });
  }
  function spec(id, s) {
    return later(id, function () {
      var el = document.getElementById('chart-' + id);
      if (!el) return;
      var before = live.views[id];
      if (before) before.finalize();
      el.innerHTML = '';
      return vegaEmbed(el, s, {
        renderer: 'svg',
        actions: { export: true, source: false, compiled: false, editor: false },
      }).then(function (r) { live.views[id] = r.view; live.updates++; });
    });
  }
  function removal(rows) {
    var groups = {};
    rows.forEach(function (r) {
      var fields = Object.keys(r);
      var g = groups[fields.join('\\u0000')] || (groups[fields.join('\\u0000')] = { fields: fields, keys: {} });
      g.keys[JSON.stringify(fields.map(function (f) { return r[f]; }))] = true;
    });
    var list = Object.keys(groups).map(function (k) { return groups[k]; });
    return function (t) {
      return list.some(function (g) {
        return g.keys[JSON.stringify(g.fields.map(function (f) { return t[f] === undefined ? null : t[f]; }))] === true;
      });
    };
  }
  function data(id, changes) {
    return later(id, function () {
      var view = live.views[id];
      if (!view) return;
      changes.forEach(function (c) {
        var cs = vega.changeset();
        if (c.remove.length) cs.remove(removal(c.remove));
        if (c.insert.length) cs.insert(c.insert);
        view.change(c.name, cs);
      });
      return view.runAsync().then(function () { live.updates++; });
    });
  }
  function signal(id, name, value) {
    return later(id, function () {
      var view = live.views[id];
      if (!view) return;
      view.signal(name, value);
      return view.runAsync();
    });
  }
  function apply(e) {
    switch (e.type) {
      case 'sections': sections(e.ids); break;
      case 'html': { sent[e.region] = e.html; var el = region(e.region); if (el) setHtml(el, e.html); break; }
      case 'patch': {
        var old = sent[e.region];
        if (old === undefined) { live.errors.push(e.region + ': a patch before its HTML'); break; }
        sent[e.region] = old.slice(0, e.at) + e.text + old.slice(e.at + e.cut);
        var target = region(e.region);
        if (target) setHtml(target, sent[e.region]);
        break;
      }
      case 'spec': spec(e.id, e.spec); break;
      case 'data': data(e.id, e.changes); break;
      case 'signal': signal(e.id, e.name, e.value); break;
    }
  }
  document.addEventListener('change', function (ev) {
    var input = ev.target;
    if (!input.matches || !input.matches('.toggle input')) return;
    document.querySelectorAll('input[name="' + input.name + '"]').forEach(function (other) {
      var el = document.getElementById(other.value);
      if (el) el.classList.toggle('hidden', !other.checked);
    });
  });
  var source = new EventSource('events');
  source.addEventListener('live', function (m) {
    JSON.parse(m.data).forEach(apply);
    live.events++;
  });
  source.onopen = function () { live.connected = true; badge.textContent = 'live'; badge.className = 'live on'; };
  source.onerror = function () {
    live.connected = false;
    badge.textContent = 'reconnecting…';
    badge.className = 'live off';
  };
})();
`;

/**
 * The live page: everything but the report itself, which arrives over `/events`.
 *
 * @param title The experiment's name.
 * @param vegaBuilds The Vega, Vega-Lite and Vega-Embed sources (already safe for `<script>`).
 * @returns The HTML document.
 */
export function livePage(title: string, vegaBuilds: readonly string[]): string {
  const scripts = vegaBuilds.map((src) => `<script>${src}</script>`).join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(title)} — live GAN sweep report</title>
<link rel="icon" href="data:,">
<style>${PAGE_STYLE}${LIVE_STYLE}</style>
${scripts}
</head>
<body>
<span id="live-state" class="live">connecting…</span>
<main>
<header id="live-header"></header>
<div id="live-warnings"></div>
<div id="live-problems"></div>
<div id="live-sections"></div>
<footer id="live-footer"></footer>
</main>
<script>${LIVE_SCRIPT}</script>
</body>
</html>
`;
}
