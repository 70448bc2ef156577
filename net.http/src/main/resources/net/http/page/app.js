// Patchbay's topology page: draws NetControl.network() as a graph and keeps it live from the
// server-sent events of /events (topology, stats, captures, event). Plain JavaScript, no library.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
// Columns of the layout: hubs, the bus from a hub to its ports, the ports, the ports' peers, and
// the NICs of netdevs on no hub.
const COL = { hub: 70, bus: 130, port: 360, peer: 660, far: 950 };
const ROW = 110;
const TOP = 70;
const SIZE = { hubport: [110, 36], netdev: [160, 50], nic: [160, 50] };

const view = {
  network: { hubs: [], clients: [] },
  stats: null,
  captures: { available: false, reason: 'not connected', netdevs: {} },
  selected: null,     // { key, name, kind }
  actionsKey: null,   // what the panel's buttons were made for
  detail: null,       // the selected client as /api/client last returned it
  ticks: 0,
  edges: [],          // { g, client, rx, tx, dr, line }
  hubRates: new Map(), // hub id -> the text under it
};

const graph = document.getElementById('graph');
const panel = document.getElementById('panel');
const statusEl = document.getElementById('status');

function svg(name, attrs, parent) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

function html(name, attrs, text, parent) {
  const e = document.createElement(name);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined && text !== null) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

// NICs may share a netdev's name: the graph keys clients by namespace and name.
function keyOf(c) { return (c.kind === 'nic' ? 'nic:' : 'netdev:') + c.name; }

function si(n, unit) {
  const a = Math.abs(n);
  const [d, p] = a >= 1e9 ? [1e9, 'G'] : a >= 1e6 ? [1e6, 'M'] : a >= 1e3 ? [1e3, 'k'] : [1, ''];
  const v = n / d;
  return (d === 1 && Number.isInteger(v) ? String(v) : v.toFixed(v >= 100 ? 0 : 1)) + ' ' + p + unit;
}

function rateOf(c) {
  if (!view.stats || !c) return null;
  const table = c.kind === 'nic' ? view.stats.nics : view.stats.netdevs;
  return table ? table[c.name] || null : null;
}

// ---- layout ------------------------------------------------------------------------------------

function peerOf(c, byName) {
  if (!c.peer) return null;
  const candidates = (byName.get(c.peer) || []).filter(p => p !== c);
  return candidates.find(p => p.peer === c.name) || candidates[0] || null;
}

function layout(net) {
  const byName = new Map();
  for (const c of net.clients) {
    if (!byName.has(c.name)) byName.set(c.name, []);
    byName.get(c.name).push(c);
  }
  const nodes = new Map();  // key -> { c, x, y, kind }
  const hubs = [];
  const edges = [];         // { a, b, client, key }
  let row = 0;
  const place = (c, x) => {
    if (!c || nodes.has(keyOf(c))) return false;
    nodes.set(keyOf(c), { c, x, y: TOP + row * ROW, kind: c.kind });
    return true;
  };
  // The client whose rates label an edge: the backend's side, as the user reads it.
  const label = (a, b) => (b && b.kind === 'netdev' ? b : a.kind === 'hubport' && b ? b : a);
  for (const hub of [...net.hubs].sort((x, y) => x.id - y.id)) {
    const first = row;
    const ports = net.clients.filter(c => c.kind === 'hubport' && c.hub === hub.id);
    for (const port of ports) {
      place(port, COL.port);
      edges.push({ a: 'hub:' + hub.id, b: keyOf(port), client: port, key: 'hub:' + hub.id + '/' + port.name });
      const peer = peerOf(port, byName);
      if (peer && place(peer, COL.peer)) {
        const c = label(port, peer);
        edges.push({ a: keyOf(port), b: keyOf(peer), client: c, key: keyOf(port) + '/' + keyOf(peer) });
      }
      row++;
    }
    if (ports.length === 0) row++;
    hubs.push({ hub, x: COL.hub, y: TOP + ((first + row - 1) / 2) * ROW });
    row += 0.3;
  }
  for (const c of net.clients) {
    if (nodes.has(keyOf(c)) || c.kind === 'hubport') continue;
    const peer = peerOf(c, byName);
    const [left, right] = c.kind === 'nic' && peer && peer.kind !== 'nic' ? [peer, c] : [c, peer];
    place(left, left.kind === 'nic' ? COL.far : COL.peer);
    if (right && place(right, COL.far)) {
      const l = label(left, right);
      edges.push({ a: keyOf(left), b: keyOf(right), client: l, key: keyOf(left) + '/' + keyOf(right) });
    }
    row++;
  }
  // Hubports on hubs the listing lacks (pending ones) still show.
  for (const c of net.clients) {
    if (place(c, COL.port)) row++;
  }
  return { nodes, hubs, edges, height: TOP + row * ROW + 40 };
}

// ---- drawing -----------------------------------------------------------------------------------

function draw() {
  const { nodes, hubs, edges, height } = layout(view.network);
  graph.replaceChildren();
  graph.setAttribute('width', COL.far + SIZE.nic[0] / 2 + 10);
  graph.setAttribute('height', Math.max(height, 300));
  const edgeLayer = svg('g', { class: 'edges' }, graph);
  const nodeLayer = svg('g', { class: 'nodes' }, graph);
  const where = key => {
    if (key.startsWith('hub:')) {
      const h = hubs.find(x => 'hub:' + x.hub.id === key);
      return h && { x: h.x, y: h.y };
    }
    return nodes.get(key);
  };
  view.edges = [];
  view.hubRates = new Map();
  for (const e of edges) {
    const a = where(e.a), b = where(e.b);
    if (!a || !b) continue;
    const g = svg('g', { class: 'edge', 'data-edge': e.key, 'data-client': e.client.name, 'data-kind': e.client.kind,
      'data-fps': '0', 'data-drops': '0' }, edgeLayer);
    // A hub's edges leave it as a bus and reach each port level; the label sits on the level part.
    let points, mx, my;
    if (e.a.startsWith('hub:')) {
      const end = b.x - SIZE.hubport[0] / 2;
      points = [[a.x + 30, a.y], [COL.bus, a.y], [COL.bus, b.y], [end, b.y]];
      mx = (COL.bus + end) / 2;
      my = b.y;
    } else {
      points = [[a.x, a.y], [b.x, b.y]];
      mx = (a.x + b.x) / 2;
      my = (a.y + b.y) / 2;
    }
    svg('polyline', { points: points.map(p => p.join(',')).join(' ') }, g);
    const rx = svg('text', { x: mx, y: my - 24, 'text-anchor': 'middle', class: 'rx' }, g);
    const tx = svg('text', { x: mx, y: my - 11, 'text-anchor': 'middle', class: 'tx' }, g);
    const dr = svg('text', { x: mx, y: my + 15, 'text-anchor': 'middle', class: 'drops' }, g);
    svg('title', {}, g).textContent = 'rates of ' + e.client.kind + ' ' + e.client.name
      + ' in its own directions: rx = taken from its peer, tx = sent to it';
    if (!e.client['link-up'] || (nodes.get(e.b) && !nodes.get(e.b).c['link-up'])) g.classList.add('down');
    view.edges.push({ g, client: e.client, rx, tx, dr, line: g.firstChild });
  }
  for (const h of hubs) {
    const g = svg('g', { class: 'node hub', 'data-node': 'hub:' + h.hub.id, 'data-kind': 'hub',
      transform: `translate(${h.x},${h.y})` }, nodeLayer);
    svg('circle', { r: 30 }, g);
    svg('text', { y: -6 }, g).textContent = 'hub ' + h.hub.id;
    svg('text', { y: 9, class: 'sub' }, g).textContent = h.hub.ports.length + ' ports';
    // The hub's totals under it: frames/s through it, drops/s.
    view.hubRates.set(h.hub.id, svg('text', { y: 44, class: 'sub hub-rate', 'data-hub': h.hub.id }, g));
    svg('text', { y: 57, class: 'sub hub-drops' }, g);
  }
  for (const [key, n] of nodes) drawNode(nodeLayer, key, n);
  updateRates();
  summary();
}

function drawNode(layer, key, n) {
  const c = n.c;
  const [w, h] = SIZE[c.kind] || SIZE.netdev;
  const cls = ['node', c.kind, c.state];
  if (!c['link-up']) cls.push('down');
  if (view.selected && view.selected.key === key) cls.push('selected');
  const g = svg('g', { class: cls.join(' '), 'data-node': c.name, 'data-kind': c.kind, 'data-key': key,
    transform: `translate(${n.x},${n.y})` }, layer);
  svg('rect', { x: -w / 2, y: -h / 2, width: w, height: h, rx: c.kind === 'nic' ? 10 : 4 }, g);
  if (c.kind === 'hubport') {
    svg('text', {}, g).textContent = c.name;
  } else {
    svg('text', { y: -9 }, g).textContent = c.name;
    const sub = svg('text', { y: 8, class: 'sub' }, g);
    sub.textContent = c.type + (c['link-up'] ? '' : ' · link down');
    if (c.state !== 'active') svg('text', { y: 20, class: 'state' }, g).textContent = c.state;
  }
  if (view.captures.netdevs[c.name] && view.captures.netdevs[c.name].state === 'recording' && c.kind !== 'nic') {
    svg('circle', { cx: w / 2 - 8, cy: -h / 2 + 8, r: 4, class: 'capture-dot' }, g);
  }
  // Filters as badges above the box, head of the chain first.
  (c.filters || []).forEach((f, i) => {
    const b = svg('g', { class: 'badge' + (f.status === 'off' ? ' off' : ''), 'data-filter': f.id,
      transform: `translate(${-w / 2 + 4 + i * 54},${-h / 2 - 12})` }, g);
    svg('rect', { width: 50, height: 14, rx: 7 }, b);
    svg('text', { x: 25, y: 7 }, b).textContent = f.id.length > 9 ? f.id.slice(0, 8) + '…' : f.id;
    svg('title', {}, b).textContent = f.type + ' ' + f.id + ' (' + f.status + ', ' + f.state + ')';
  });
  g.addEventListener('click', () => select(key, c.name, c.kind));
}

function updateRates() {
  for (const e of view.edges) {
    const r = rateOf(e.client);
    const rxf = r ? r['rx-frames-per-second'] : 0, txf = r ? r['tx-frames-per-second'] : 0;
    const rxb = r ? r['rx-bits-per-second'] : 0, txb = r ? r['tx-bits-per-second'] : 0;
    const drops = r ? r['drops-per-second'] : 0;
    e.rx.textContent = 'rx ' + si(rxf, 'f/s') + ' · ' + si(rxb, 'b/s');
    e.tx.textContent = 'tx ' + si(txf, 'f/s') + ' · ' + si(txb, 'b/s');
    e.dr.textContent = 'drops ' + si(drops, '/s');
    const fps = rxf + txf;
    e.g.setAttribute('data-fps', String(fps));
    e.g.setAttribute('data-drops', String(drops));
    e.g.classList.toggle('busy', fps > 0);
    e.g.classList.toggle('dropping', drops > 0);
    // Thicker with the frame rate: 1.5 px idle, +2 px per decade, at most 12 px.
    e.line.style.strokeWidth = String(Math.min(12, 1.5 + 2 * Math.log10(1 + fps)));
  }
  updateHubs();
}

function updateHubs() {
  const hubs = view.stats ? view.stats.hubs || [] : [];
  for (const [id, text] of view.hubRates) {
    const h = hubs.find(x => x.id === id);
    const r = h && h.rate;
    // Frames its ports took in; drops only when there are any (the edges show them too).
    text.textContent = r ? si(r['rx-frames-per-second'], 'f/s') + ' in' : '';
    text.nextSibling.textContent = r && r['drops-per-second'] > 0 ? 'drops ' + si(r['drops-per-second'], '/s') : '';
  }
}

/** A hubport's hub, or that of the hubport a netdev or NIC is peered with ("1 through ha"). */
function hubOf(c) {
  if (c.hub != null) {
    return c.hub;
  }
  const port = view.network.clients.find(p => p.kind === 'hubport' && p.name === c.peer && p.peer === c.name);
  return port ? `${port.hub} through ${port.name}` : null;
}

function summary() {
  const cs = view.network.clients;
  const count = k => cs.filter(c => c.kind === k).length;
  const n = (k, one) => `${k} ${one}${k === 1 ? '' : 's'}`;
  let text = [n(view.network.hubs.length, 'hub'), n(count('hubport'), 'hubport'), n(count('netdev'), 'netdev'),
    n(count('nic'), 'NIC')].join(' · ');
  if (view.stats) {
    const loops = view.stats.loops || [];
    text += ` · ${n(loops.length, 'event loop')} · tick ${view.ticks}`;
  }
  document.getElementById('summary').textContent = text;
  document.getElementById('summary').setAttribute('data-ticks', String(view.ticks));
}

// ---- the side panel ----------------------------------------------------------------------------

function select(key, name, kind) {
  view.selected = { key, name, kind };
  view.detail = null;
  view.actionsKey = null;
  document.getElementById('panel-error').hidden = true;
  for (const n of graph.querySelectorAll('.node.selected')) n.classList.remove('selected');
  const g = graph.querySelector(`[data-key="${CSS.escape(key)}"]`);
  if (g) g.classList.add('selected');
  panel.hidden = false;
  renderPanel();
  refreshDetail();
}

function current() {
  if (!view.selected) return null;
  const fromNetwork = view.network.clients.find(c => keyOf(c) === view.selected.key);
  if (view.detail && view.detail.kind === view.selected.kind && view.detail.name === view.selected.name) {
    return view.detail;
  }
  return fromNetwork || null;
}

async function refreshDetail() {
  const sel = view.selected;
  if (!sel) return;
  try {
    const r = await fetch('api/client?name=' + encodeURIComponent(sel.name), { cache: 'no-store' });
    if (r.ok && view.selected === sel) {
      view.detail = await r.json();
      renderPanel();
    }
  } catch (e) {
    // The connection's state shows in the header.
  }
}

function table(parent, rows, cls) {
  const t = html('table', cls ? { class: cls } : {}, null, parent);
  for (const [k, v, attrs] of rows) {
    const tr = html('tr', {}, null, t);
    html('td', {}, k, tr);
    html('td', Object.assign({ class: typeof v === 'number' ? 'num' : '' }, attrs || {}),
      v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v), tr);
  }
  return t;
}

function renderPanel() {
  const c = current();
  const stateBox = document.getElementById('panel-state');
  const actions = document.getElementById('panel-actions');
  const data = document.getElementById('panel-data');
  if (!c) {
    document.getElementById('panel-title').textContent = view.selected ? view.selected.name + ' (gone)' : '';
    stateBox.replaceChildren();
    actions.replaceChildren();
    data.replaceChildren();
    view.actionsKey = null;
    return;
  }
  document.getElementById('panel-title').textContent = `${c.name} — ${c.kind} ${c.type}`;
  stateBox.replaceChildren();
  html('h3', {}, 'State', stateBox);
  table(stateBox, [
    ['state', c.state, { 'data-field': 'state' }],
    ['error', c.error, { 'data-field': 'error' }],
    ['link', c['link-up'] ? 'up' : 'down', { 'data-field': 'link' }],
    ['peer', c.peer],
    ['hub', hubOf(c)],
    ['info', c.info],
  ]);
  // The buttons are made again only when what they do changes, never under a pointer at each tick.
  const mine = view.captures.netdevs[c.name];
  const key = JSON.stringify([c.kind, c.name, c['link-up'], view.captures.available, view.captures.reason,
    mine && mine.state, mine && mine.reason]);
  if (key !== view.actionsKey) {
    view.actionsKey = key;
    actions.replaceChildren();
    const link = html('button', { type: 'button', class: 'action', id: 'link-toggle' },
      c['link-up'] ? 'Set link down' : 'Set link up', actions);
    link.addEventListener('click', () => post('api/link', { name: c.name, up: !c['link-up'] }));
    captureControls(actions, c);
  }
  const size = document.getElementById('capture-size');
  if (size && mine) size.textContent = si(mine.bytes, 'B');

  data.replaceChildren();
  const r = rateOf(c);
  if (r) {
    html('h3', {}, 'Rates', data);
    table(data, [
      ['rx', si(r['rx-frames-per-second'], 'f/s') + ' · ' + si(r['rx-bits-per-second'], 'b/s')],
      ['tx', si(r['tx-frames-per-second'], 'f/s') + ' · ' + si(r['tx-bits-per-second'], 'b/s')],
      ['drops', si(r['drops-per-second'], '/s')],
    ]);
  }
  const k = c.counters || {};
  html('h3', {}, 'Counters', data);
  table(data, ['rx-frames', 'rx-bytes', 'tx-frames', 'tx-bytes', 'queued']
    .map(n => [n, k[n], { 'data-counter': n }]), 'counters');
  section(data, 'Drops', Object.entries(k.drops || {}).map(([n, v]) => [n, v, { 'data-drop': n }]));
  section(data, 'Driver counters', Object.entries(k.driver || {}));
  section(data, 'Options', Object.entries(c.options || {}));
  if ((c.filters || []).length) {
    section(data, 'Filters', c.filters.map(f => [f.id, `${f.type} ${f.status} ${f.state}` + (f.error ? ': ' + f.error : '')]));
  }
}

function section(parent, title, rows) {
  html('h3', {}, title, parent);
  if (rows.length) table(parent, rows);
  else html('p', { class: 'note' }, 'none', parent);
}

function captureControls(parent, c) {
  const box = html('div', { class: 'capture' }, null, parent);
  if (c.kind === 'nic') return;
  const caps = view.captures;
  if (!caps.available) {
    html('p', { class: 'note', id: 'capture-note' }, 'Capture: ' + caps.reason, box);
    return;
  }
  const mine = caps.netdevs[c.name];
  if (mine && mine.state === 'recording') {
    html('button', { type: 'button', class: 'action', id: 'capture-stop' }, 'Stop capture', box)
      .addEventListener('click', () => post('api/capture/stop', { netdev: c.name }));
    html('span', { class: 'note' }, ' recording, ', box);
    html('span', { class: 'note', id: 'capture-size' }, si(mine.bytes, 'B'), box);
    return;
  }
  html('button', { type: 'button', class: 'action', id: 'capture-start' }, 'Start capture', box)
    .addEventListener('click', () => post('api/capture/start', { netdev: c.name }));
  if (mine) {
    html('br', {}, null, box);
    html('a', { href: 'api/capture/file?netdev=' + encodeURIComponent(c.name), id: 'capture-download',
      download: c.name + '.pcap' }, `Download ${c.name}.pcap`, box);
    html('span', { class: 'note' }, ' (', box);
    html('span', { class: 'note', id: 'capture-size' }, si(mine.bytes, 'B'), box);
    html('span', { class: 'note' }, ')' + (mine.reason ? ', stopped: ' + mine.reason : ''), box);
  }
}

async function post(url, body) {
  const err = document.getElementById('panel-error');
  err.hidden = true;
  try {
    const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body) });
    if (!r.ok) {
      let text = r.status + ' ' + r.statusText;
      try { text = (await r.json()).error.desc; } catch (e) { /* not ours: keep the status */ }
      err.textContent = text;
      err.hidden = false;
    }
  } catch (e) {
    err.textContent = 'The runtime does not answer: ' + e.message;
    err.hidden = false;
  }
  refreshDetail();
}

document.getElementById('panel-close').addEventListener('click', () => {
  view.selected = null;
  panel.hidden = true;
  for (const n of graph.querySelectorAll('.node.selected')) n.classList.remove('selected');
});

// ---- the event log -----------------------------------------------------------------------------

function logEvent(e) {
  const list = document.getElementById('events');
  const li = html('li', { 'data-event': e.event }, null, null);
  html('time', {}, (e.timestamp || '').replace('T', ' ').replace(/\.\d+Z$/, 'Z'), li);
  li.appendChild(document.createTextNode(e.event + ' ' + JSON.stringify(e.data || {})));
  list.prepend(li);
  while (list.children.length > 200) list.lastChild.remove();
}

// ---- the feed ----------------------------------------------------------------------------------

function connect() {
  const source = new EventSource('events');
  source.onopen = () => { statusEl.textContent = 'live'; statusEl.className = 'status live'; };
  source.onerror = () => { statusEl.textContent = 'reconnecting'; statusEl.className = 'status lost'; };
  source.addEventListener('topology', m => {
    view.network = JSON.parse(m.data);
    draw();
    if (view.selected) renderPanel();
  });
  source.addEventListener('captures', m => {
    view.captures = JSON.parse(m.data);
    draw();
    if (view.selected) renderPanel();
  });
  source.addEventListener('stats', m => {
    view.stats = JSON.parse(m.data);
    view.ticks++;
    updateRates();
    summary();
    if (view.selected) refreshDetail();
  });
  source.addEventListener('event', m => logEvent(JSON.parse(m.data)));
}

connect();
