// The vmres dashboard: one server-sent event stream (/events), the whole model first, then what
// changed. No library: the fleet map is plain DOM, the recovery-time chart hand-written SVG.
"use strict";

const STATES = ["healthy", "suspect", "isolated", "failed", "fenced", "draining", "maintenance"];
const DOWN = new Set(["failed", "fenced"]);
const ENDED = new Set(["RECOVERED", "PARTIAL", "CLOSED"]);
const BIG_FLEET = 400; // above this many hosts, tiles carry no VM count

const hosts = new Map(); // host -> {cluster, rack, state, vms, cpuUsed, cpuTotal, memUsed, memTotal}
const tiles = new Map(); // host -> tile element
const racks = new Map(); // cluster|rack -> {el, label, tiles, hosts:Set}
const clusterEls = new Map(); // cluster -> {el, title, racks}
const incidents = new Map();
let clusters = [];
let recoveryTimes = [];
let alerts = [];
let powerDomains = { domains: [], unread: 0 };
let status = null; // where the data comes from: FeedStatus of the server
let statusAt = 0; // Date.now() when it came: ages run on from there
let streamLost = false; // the page's own stream to the server is down
let now = 0;
let rendered = false;

const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};
const secs = (ms) => (ms / 1000).toFixed(1) + " s";
const ago = (ms) => {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s} s` : s < 7200 ? `${Math.floor(s / 60)} min` : `${Math.floor(s / 3600)} h`;
};
const utc = (ts) => new Date(ts).toISOString().substring(11, 19);
const byName = (a, b) => a.localeCompare(b, "en", { numeric: true });

// ---------------------------------------------------------------- fleet map

function clusterEl(name) {
  let c = clusterEls.get(name);
  if (!c) {
    const root = el("div", "cluster");
    root.dataset.cluster = name;
    const title = el("h3");
    const rs = el("div", "racks");
    root.append(title, rs);
    c = { el: root, title, racks: rs };
    clusterEls.set(name, c);
    const all = [...clusterEls.keys()].sort(byName);
    const next = all[all.indexOf(name) + 1];
    $("clusters").insertBefore(root, next ? clusterEls.get(next).el : null);
  }
  return c;
}

function rackEl(cluster, rack) {
  const key = cluster + "|" + rack;
  let r = racks.get(key);
  if (!r) {
    const root = el("div", "rack");
    root.dataset.rack = rack;
    const label = el("div", "label");
    const ts = el("div", "tiles");
    root.append(label, ts);
    r = { el: root, label, tiles: ts, hosts: new Set(), name: rack };
    racks.set(key, r);
    const c = clusterEl(cluster);
    const names = [...racks.keys()].filter((k) => k.startsWith(cluster + "|")).sort(byName);
    const next = names[names.indexOf(key) + 1];
    c.racks.insertBefore(root, next ? racks.get(next).el : null);
  }
  return r;
}

function rackLabel(r) {
  let vms = 0;
  let down = 0;
  for (const h of r.hosts) {
    const row = hosts.get(h);
    vms += row.vms;
    if (DOWN.has(row.state)) down++;
  }
  r.label.textContent = `${r.name} · ${vms} VMs`;
  r.el.dataset.vms = vms;
  r.el.classList.toggle("hit", down > 0);
}

function putHost(a) {
  const [host, cluster, rack0, state, vms, cpuUsed, cpuTotal, memUsed, memTotal] = a;
  const rack = rack0 || "(no rack)";
  const old = hosts.get(host);
  hosts.set(host, { cluster, rack, state, vms, cpuUsed, cpuTotal, memUsed, memTotal });
  let t = tiles.get(host);
  const touched = [];
  if (old && (old.cluster !== cluster || old.rack !== rack)) {
    const r = racks.get(old.cluster + "|" + old.rack);
    r.hosts.delete(host);
    touched.push(r);
    t.remove();
    t = null;
  }
  const r = rackEl(cluster, rack);
  if (!t) {
    t = el("div", "tile");
    t.dataset.host = host;
    tiles.set(host, t);
    // hosts in name order within their rack
    const after = [...r.hosts].filter((h) => byName(h, host) > 0).sort(byName)[0];
    r.tiles.insertBefore(t, after ? tiles.get(after) : null);
    r.hosts.add(host);
  }
  t.dataset.state = state;
  t.dataset.vms = vms;
  t.title = `${host} (${cluster}, ${rack}): ${state}, ${vms} VMs, cpu ${cpuUsed}/${cpuTotal}`;
  touched.push(r);
  return touched;
}

function removeHost(host) {
  const old = hosts.get(host);
  if (!old) return [];
  hosts.delete(host);
  tiles.get(host).remove();
  tiles.delete(host);
  const r = racks.get(old.cluster + "|" + old.rack);
  r.hosts.delete(host);
  return [r];
}

function renderFleet(d) {
  const touched = new Set();
  for (const a of d.hosts) for (const r of putHost(a)) touched.add(r);
  for (const h of d.removed) for (const r of removeHost(h)) touched.add(r);
  for (const r of touched) rackLabel(r);
  const big = hosts.size <= BIG_FLEET;
  if (big || $("clusters").classList.contains("big")) {
    for (const t of tiles.values()) t.textContent = big ? hosts.get(t.dataset.host).vms : "";
  }
  $("clusters").classList.toggle("big", big);
  const counts = Object.fromEntries(STATES.map((s) => [s, 0]));
  let vms = 0;
  for (const h of hosts.values()) {
    counts[h.state] = (counts[h.state] || 0) + 1;
    vms += h.vms;
  }
  const legend = $("legend");
  legend.replaceChildren(
    ...STATES.map((s) => {
      const li = el("li");
      li.dataset.state = s;
      li.append(el("i", s), document.createTextNode(`${s} ${counts[s]}`));
      return li;
    })
  );
  $("fleet-summary").textContent = `${hosts.size} hosts · ${vms} VMs`;
  $("fleet-summary").dataset.vms = vms;
  for (const c of clusters) {
    const ce = clusterEl(c.cluster);
    const down = (c.states.failed || 0) + (c.states.fenced || 0);
    ce.title.replaceChildren(
      document.createTextNode(c.cluster),
      el("small", "", `${c.hosts} hosts · ${c.vms} VMs` + (down ? ` · ${down} down` : ""))
    );
    ce.el.dataset.vms = c.vms;
  }
}

// ---------------------------------------------------------------- incidents

function step(label, ts, from) {
  const s = el("span", "step" + (ts != null ? " done" : ""));
  s.textContent = ts != null && from != null ? `${label} +${secs(ts - from)}` : label;
  return s;
}

function incidentEl(i) {
  const root = el("div", "incident");
  root.dataset.incident = i.id;
  root.dataset.state = i.state;
  const top = el("div", "top");
  top.append(
    el("span", "id", i.id),
    el("span", "badge " + i.state, i.state),
    el("span", "muted", `${i.kind} · ${[...i.hosts].sort(byName).join(", ")}`)
  );
  root.append(top);
  const from = i.failureStartTs != null ? i.failureStartTs : i.detectedTs;
  if (i.kind === "HOST_FAILURE" || i.kind === "NEEDS_CONFIRMATION") {
    const total = Math.max(i.vmsTotal, 1);
    const bar = el("div", "bar");
    const fill = el("div");
    fill.style.width = Math.round((100 * i.vmsRecovered) / total) + "%";
    bar.append(fill);
    const progress = el("div", "progress");
    progress.dataset.recovered = i.vmsRecovered;
    progress.dataset.total = i.vmsTotal;
    const time = i.recoverySeconds != null
      ? `recovery time ${i.recoverySeconds.toFixed(1)} s`
      : ENDED.has(i.state) ? "" : `${secs(Math.max(0, now - from))} since the failure`;
    progress.textContent =
      `${i.vmsRecovered} of ${i.vmsTotal} VMs recovered` +
      (i.vmsGivenUp ? ` · ${i.vmsGivenUp} given up` : "") + (time ? ` · ${time}` : "");
    root.append(bar, progress);
    const steps = el("div", "steps");
    const end = i.endTs != null && i.state !== "CLOSED" ? i.endTs : null;
    steps.append(
      step("failure " + utc(from), from, null),
      step("detected", i.detectedTs, from),
      i.fenceTs != null || i.fencedTs != null ? step("fenced", i.fencedTs, from) : el("span"),
      step("disks mapped", i.mappedTs, from),
      step("restarted", i.restartedTs, from),
      step(i.state === "PARTIAL" ? "partial" : "recovered", end, from)
    );
    root.append(steps);
  } else {
    root.append(el("div", "muted", `since ${utc(i.detectedTs)}` + (i.endTs ? `, ended ${utc(i.endTs)}` : "")));
  }
  return root;
}

function renderIncidents() {
  const list = [...incidents.values()].sort((a, b) => {
    const ao = ENDED.has(a.state) ? 1 : 0;
    const bo = ENDED.has(b.state) ? 1 : 0;
    return ao - bo || b.detectedTs - a.detectedTs;
  });
  const open = list.filter((i) => !ENDED.has(i.state)).length;
  $("incident-summary").textContent = `${open} open · ${list.length} in all`;
  const box = $("incidents");
  if (!list.length) {
    box.replaceChildren(el("p", "none", "no incident"));
    return;
  }
  box.replaceChildren(...list.slice(0, 40).map(incidentEl));
}

// ---------------------------------------------------------------- side panels

function renderInFlight() {
  const box = $("inflight");
  if (!clusters.length) {
    box.replaceChildren(el("p", "none", "no cluster yet"));
    return;
  }
  box.replaceChildren(
    ...clusters.map((c) => {
      const row = el("div");
      row.dataset.inflight = c.cluster;
      const bar = el("div", "bar load");
      const fill = el("div");
      fill.style.width = Math.min(100, (100 * c.inFlight) / c.inFlightLimit) + "%";
      bar.append(fill);
      const targets = c.targets.map((t) => `${t.host} ${t.inFlight}/${c.perTargetLimit}`).join(" · ");
      row.append(
        el("div", "", `${c.cluster}: ${c.inFlight} of ${c.inFlightLimit} per cluster`),
        bar,
        el("div", "muted", targets ? `per target: ${targets}` : "nothing in flight")
      );
      return row;
    })
  );
}

function renderRecovery() {
  const times = recoveryTimes;
  const box = $("recovery");
  if (!times.length) {
    $("recovery-summary").textContent = "";
    box.replaceChildren(el("p", "none", "no recovery yet"));
    return;
  }
  const sorted = [...times].sort((a, b) => a - b);
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  $("recovery-summary").textContent =
    `${times.length} incidents · median ${q(0.5).toFixed(1)} s · p95 ${q(0.95).toFixed(1)} s`;
  const max = sorted[sorted.length - 1];
  const span = Math.max(max - sorted[0], 1);
  const width = [1, 2, 5, 10, 15, 30, 60, 120, 300].find((w) => span / w <= 12) || 600;
  const lo = Math.floor(sorted[0] / width) * width;
  const n = Math.max(Math.floor((max - lo) / width) + 1, 6);
  const bins = new Array(n).fill(0);
  for (const t of times) bins[Math.floor((t - lo) / width)]++;
  const top = Math.max(...bins);
  const W = 490, H = 110, pad = 18, bw = (W - pad) / n;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", W);
  svg.setAttribute("height", H + 16);
  bins.forEach((c, i) => {
    const h = (H - 14) * (c / top);
    const r = document.createElementNS(ns, "rect");
    r.setAttribute("x", pad + i * bw + 1);
    r.setAttribute("y", H - h);
    r.setAttribute("width", Math.max(1, bw - 2));
    r.setAttribute("height", h);
    r.setAttribute("fill", "#2f7fd6");
    svg.append(r);
    if (c) {
      const t = document.createElementNS(ns, "text");
      t.setAttribute("x", pad + i * bw + bw / 2 - 3);
      t.setAttribute("y", H - h - 2);
      t.textContent = c;
      svg.append(t);
    }
    if (i % Math.ceil(n / 8) === 0) {
      const l = document.createElementNS(ns, "text");
      l.setAttribute("x", pad + i * bw);
      l.setAttribute("y", H + 12);
      l.textContent = `${lo + i * width} s`;
      svg.append(l);
    }
  });
  box.replaceChildren(svg);
}

function pct(free, total) {
  return total > 0 ? Math.round((100 * free) / total) + "%" : "–";
}

function headroom(share, detail) {
  const td = el("td");
  td.append(el("b", "", share), el("div", "muted small", detail));
  return td;
}

function renderCapacity() {
  const box = $("capacity");
  if (!clusters.length) {
    box.replaceChildren(el("p", "none", "no cluster yet"));
    return;
  }
  const table = el("table");
  const head = el("tr");
  head.append(el("th", "", "cluster"), el("th", "", "cpu free"), el("th", "", "memory free"), el("th", "", "single failures"));
  table.append(head);
  for (const c of clusters) {
    const tr = el("tr");
    tr.dataset.capacity = c.cluster;
    const adm = el("td");
    if (!c.admission) {
      adm.append(el("span", "muted", "not available"));
    } else if (!c.admission.risks.length) {
      adm.append(el("span", "", `absorbs any single host, rack or power domain`));
    } else {
      for (const r of c.admission.risks.slice(0, 6)) {
        adm.append(el("div", "risk", `${r.kind.toLowerCase().replace("_", " ")} ${r.id}: ${r.unplacedVms} VMs unplaced`));
      }
    }
    tr.append(
      el("td", "", c.cluster),
      headroom(pct(c.cpuFree, c.cpuTotal), `${Math.round(c.cpuFree)} of ${Math.round(c.cpuTotal)} cores`),
      headroom(pct(c.memFreeMb, c.memTotalMb), `${Math.round(c.memFreeMb / 1024)} of ${Math.round(c.memTotalMb / 1024)} GiB`),
      adm
    );
    table.append(tr);
  }
  box.replaceChildren(table);
}

function renderAlerts(d) {
  if (d.full) alerts = [];
  alerts = d.alerts.slice().reverse().concat(alerts).slice(0, 100);
  const box = $("alerts");
  if (!alerts.length) {
    box.replaceChildren(el("li", "none", "no alert"));
    return;
  }
  box.replaceChildren(
    ...alerts.map((a) => {
      const li = el("li");
      li.dataset.alert = a.kind;
      li.textContent = `${utc(a.ts)} ${a.kind} ${a.cluster}` +
        (a.incidentId ? ` ${a.incidentId}` : "") + (a.host ? ` ${a.host}` : "") +
        (a.vms ? ` (${a.vms} VMs)` : "") + (a.detail ? `: ${a.detail}` : "");
      return li;
    })
  );
}

// ---------------------------------------------------------------- power domains

const POWER_ORDER = { off: 0, unknown: 1, on: 2 };

function proofText(label, list) {
  const byIncident = new Map();
  for (const p of list) {
    if (!byIncident.has(p.incidentId)) byIncident.set(p.incidentId, { p, hosts: [] });
    byIncident.get(p.incidentId).hosts.push(p.host);
  }
  return [...byIncident.values()]
    .map(({ p, hosts }) => `${label} ${hosts.sort(byName).join(", ")} (${p.incidentId}` +
      (p.kind ? ` ${p.kind}` : "") + (p.state ? ` ${p.state}` : "") + ")")
    .join("; ");
}

function renderPower() {
  const box = $("power");
  const list = [...powerDomains.domains].sort((a, b) =>
    (POWER_ORDER[a.state] ?? 3) - (POWER_ORDER[b.state] ?? 3) || byName(a.powerDomain, b.powerDomain));
  const off = list.filter((p) => p.state === "off").length;
  $("power-summary").textContent = list.length
    ? `${list.filter((p) => p.state).length} read · ${off} off` +
      (powerDomains.unread ? ` · ${powerDomains.unread} without a reading` : "")
    : "";
  if (!list.length) {
    box.replaceChildren(el("p", "none", "no power-domain reading" +
      (powerDomains.unread ? ` (${powerDomains.unread} domains of the fleet)` : "")));
    return;
  }
  const table = el("table");
  const head = el("tr");
  head.append(el("th", "", "domain"), el("th", "", "state"), el("th", "", "read"),
    el("th", "", "hosts"), el("th", "", "what its reading proved"));
  table.append(head);
  for (const p of list.slice(0, 100)) {
    const tr = el("tr");
    tr.dataset.domain = p.powerDomain;
    tr.dataset.state = p.state || "none";
    const state = el("td");
    state.append(el("span", "pd " + (p.state || ""), p.state || "no reading"));
    const read = el("td", "age");
    if (p.ts != null) {
      read.dataset.ts = p.ts;
      read.textContent = `${ago(now - p.ts)} ago`;
      read.title = `${new Date(p.ts).toISOString()}` + (p.source ? ` by ${p.source}` : "");
    }
    const proof = el("td", "proof");
    proof.dataset.provedOff = p.provedOff.map((x) => x.host).sort(byName).join(" ");
    proof.dataset.confirmed = p.confirmed.map((x) => x.host).sort(byName).join(" ");
    proof.dataset.incidents = [...new Set([...p.provedOff, ...p.confirmed].map((x) => x.incidentId))]
      .sort(byName).join(" ");
    proof.dataset.outages = p.outagesLeft.map((x) => x.incidentId).sort(byName).join(" ");
    const said = [
      proofText("proved off", p.provedOff),
      proofText("confirmed", p.confirmed),
      proofText("took out of the outage", p.outagesLeft),
    ].filter((x) => x).join("; ");
    proof.textContent = said || "nothing yet";
    tr.append(el("td", "", p.powerDomain), state, read,
      el("td", "", `${p.hosts}` + (p.hostsDown ? ` (${p.hostsDown} down)` : "")), proof);
    table.append(tr);
  }
  box.replaceChildren(table);
}

// ---------------------------------------------------------------- where the data comes from

const BADGE = {
  connecting: "connecting…",
  unreachable: "broker unreachable",
  "no-job": "no job writing",
  "catching-up": "catching up",
  live: "live",
  quiet: "quiet",
  replaying: "replaying",
  "replay-ended": "replay ended",
};

function renderStatus() {
  const conn = $("conn");
  const box = $("status");
  if (streamLost) {
    conn.textContent = "page disconnected";
    conn.dataset.conn = "lost";
    box.dataset.conn = "lost";
    $("status-detail").textContent =
      "this page lost its stream from the dashboard server; it reconnects by itself";
    return;
  }
  if (!status) return;
  const run = Date.now() - statusAt; // time since the server's check
  conn.textContent = BADGE[status.state] || status.state;
  conn.dataset.conn = status.state;
  box.dataset.conn = status.state;
  let detail = status.detail;
  if (status.state === "unreachable") detail += ` (for ${ago(status.checkedAt - status.since + run)})`;
  if (status.lastJobRecordAt != null) {
    detail += ` · the job's latest record ${ago(status.checkedAt - status.lastJobRecordAt + run)} ago`;
  }
  $("status-detail").textContent = detail;
  $("status-topics").textContent = status.topics
    .map((t) => `${t.topic.replace(/^vmres\./, "")} ` +
      (!t.exists ? "missing" : t.lastRecordAt == null ? "no record"
        : `${ago(status.checkedAt - t.lastRecordAt + run)} ago`))
    .join(" · ");
}

// ---------------------------------------------------------------- what if it fails?

// The server asks its engines (the replay's, or its own fed from the input topics): /whatif
// answers as `vmres whatif --json` does, one question at a time.
const tokenQuery = () => {
  const token = new URLSearchParams(location.search).get("token");
  return token ? "token=" + encodeURIComponent(token) : "";
};
const withToken = (path) => {
  const q = tokenQuery();
  return q ? path + (path.includes("?") ? "&" : "?") + q : path;
};
let choicesLoaded = false;
let choicesAsked = 0; // Date.now() of the latest request
let asking = false;

async function loadChoices() {
  if (Date.now() - choicesAsked < 2000) return;
  choicesAsked = Date.now();
  const select = $("whatif-choice");
  let c;
  try {
    const r = await fetch(withToken("whatif/choices"), { credentials: "same-origin" });
    if (!r.ok) return;
    c = await r.json();
  } catch (e) {
    return;
  }
  const keep = select.value;
  const groups = { rack: new Set(), pd: new Set(), host: new Set() };
  for (const cl of c.clusters) {
    cl.racks.forEach((x) => groups.rack.add(x));
    cl.powerDomains.forEach((x) => groups.pd.add(x));
    cl.hosts.forEach((x) => groups.host.add(x));
  }
  const label = { rack: "racks", pd: "power domains", host: "hosts" };
  select.replaceChildren(
    ...Object.entries(groups).filter(([, ids]) => ids.size).map(([kind, ids]) => {
      const g = el("optgroup");
      g.label = label[kind];
      for (const id of [...ids].sort(byName)) {
        const o = el("option", "", `${kind === "pd" ? "power domain" : kind} ${id}`);
        o.value = `${kind}:${id}`;
        g.append(o);
      }
      return g;
    })
  );
  if (keep && [...select.options].some((o) => o.value === keep)) select.value = keep;
  choicesLoaded = select.options.length > 0;
}

function choose(value) {
  const select = $("whatif-choice");
  if (![...select.options].some((o) => o.value === value)) {
    const o = el("option", "", value);
    o.value = value;
    select.append(o);
  }
  select.value = value;
  ask(value);
}

async function ask(value) {
  if (!value || asking) return;
  asking = true;
  const box = $("whatif-answer");
  box.dataset.state = "asking";
  box.dataset.asked = value;
  box.replaceChildren(el("p", "lead muted", `asking what ${value} failing would do…`));
  for (const r of racks.values()) r.el.classList.toggle("asked", value === `rack:${r.name}`);
  try {
    const r = await fetch(withToken("whatif?fail=" + encodeURIComponent(value)), { credentials: "same-origin" });
    if (!r.ok) {
      box.dataset.state = "error";
      box.replaceChildren(el("p", "lead", `no answer (${r.status}): ${(await r.text()).trim()}`));
    } else {
      renderAnswer(await r.json());
    }
  } catch (e) {
    box.dataset.state = "error";
    box.replaceChildren(el("p", "lead", `no answer: ${e}`));
  } finally {
    asking = false;
  }
}

const MAX_ROWS = 300;

function table(headers, rows, cls) {
  const t = el("table", cls);
  const head = el("tr");
  headers.forEach((h) => head.append(el("th", "", h)));
  t.append(head);
  rows.slice(0, MAX_ROWS).forEach((r) => t.append(r));
  return t;
}

function renderAnswer(a) {
  const box = $("whatif-answer");
  box.dataset.state = "answered";
  box.dataset.at = a.at;
  box.dataset.restarted = a.vmsRestarted;
  box.dataset.unplaced = a.vmsUnplaced;
  box.dataset.recoveryS = a.recoveryS == null ? "" : a.recoveryS;
  const down = a.clusters.reduce((n, c) => n + c.hosts.length, 0);
  const targets = new Set(a.clusters.flatMap((c) => c.restarts.map((r) => r.to)));
  const parts = [
    `${a.failures.join(" and ")} failing right after ${a.at.substring(11, 19)} UTC`,
    `${down} hosts down`,
    `${a.vmsRestarted} VMs restarted on ${targets.size} targets`,
    `${a.vmsUnplaced} unplaced`,
    a.recoveryS == null ? "nothing to restart" : `predicted recovery ${a.recoveryS.toFixed(1)} s`,
  ];
  const out = [el("p", "lead", parts.join(" · "))];
  $("whatif-summary").textContent = `answered in ${a.answerMs} ms`;
  for (const u of a.unmatched) out.push(el("p", "risk", `${u} names no registered host: nothing fails for it`));
  for (const c of a.clusters) {
    const sec = el("div", "cluster-answer");
    sec.dataset.cluster = c.cluster;
    sec.dataset.recoveryS = c.recoveryS == null ? "" : c.recoveryS;
    const start = c.failureStart ? Date.parse(c.failureStart) : null;
    sec.append(el("h3", "", `${c.cluster}: ${c.hosts.length} hosts down` +
      (c.recoveryS == null ? "" : ` · recovery ${c.recoveryS.toFixed(1)} s`)));
    const failed = [...c.failedRacks, ...c.failedPowerDomains];
    if (failed.length) sec.append(el("div", "muted", `failed domains (never targets): ${failed.join(", ")}`));
    sec.append(el("div", "muted", c.hosts.map((h) =>
      `${h.host} declared +${secs(Date.parse(h.declared) - Date.parse(h.lastHeartbeat))} (${h.proof}, ${h.haVms} HA VMs)`).join(" · ")));
    if (c.awaitingConfirmation.length) {
      sec.append(el("div", "risk", `waiting for an operator's confirmation (no BMC): ${c.awaitingConfirmation.join(", ")}`));
    }
    if (c.restarts.length) {
      const rows = c.restarts.map((r) => {
        const tr = el("tr");
        tr.dataset.vm = r.vm;
        tr.dataset.to = r.to;
        tr.append(el("td", "", r.vm), el("td", "", `${r.from} → ${r.to}`), el("td", "", r.priority),
          el("td", "", start == null ? "" : `+${secs(Date.parse(r.recoveredAt) - start)}`));
        return tr;
      });
      sec.append(table(["restarted", "from → to", "priority", "up at"], rows, "restarts"));
      if (rows.length > MAX_ROWS) sec.append(el("div", "muted", `and ${rows.length - MAX_ROWS} more`));
    }
    if (c.unplaced.length) {
      const rows = c.unplaced.map((u) => {
        const tr = el("tr");
        tr.dataset.vm = u.vm;
        tr.dataset.reason = u.reason;
        tr.append(el("td", "", u.vm), el("td", "", u.from), el("td", "", u.priority), el("td", "", u.reason));
        return tr;
      });
      sec.append(table(["unplaced", "from", "priority", "why"], rows, "unplaced"));
      if (rows.length > MAX_ROWS) sec.append(el("div", "muted", `and ${rows.length - MAX_ROWS} more`));
    }
    out.push(sec);
  }
  box.replaceChildren(...out);
}

$("whatif-ask").addEventListener("click", () => ask($("whatif-choice").value));
$("whatif-choice").addEventListener("focus", () => {
  choicesAsked = 0;
  loadChoices();
});
// a rack's name or a host's tile in the fleet asks about it
$("clusters").addEventListener("click", (ev) => {
  const tile = ev.target.closest(".tile");
  if (tile) return choose(`host:${tile.dataset.host}`);
  const label = ev.target.closest(".rack > .label");
  if (label) choose(`rack:${label.parentElement.dataset.rack}`);
});

// ---------------------------------------------------------------- the stream

function apply(d) {
  const t0 = performance.now();
  if (d.full) {
    hosts.clear();
    tiles.clear();
    racks.clear();
    clusterEls.clear();
    incidents.clear();
    $("clusters").replaceChildren();
  }
  now = d.now;
  clusters = d.clusters;
  recoveryTimes = d.recoveryTimes;
  powerDomains = d.powerDomains;
  status = d.status;
  statusAt = Date.now();
  streamLost = false;
  for (const i of d.incidents) incidents.set(i.id, i);
  renderFleet(d);
  renderIncidents();
  renderInFlight();
  renderRecovery();
  renderCapacity();
  renderAlerts(d);
  renderPower();
  renderStatus();
  if (d.full || !choicesLoaded) loadChoices();
  $("clock").textContent = now ? `event time ${new Date(now).toISOString().substring(0, 19).replace("T", " ")} UTC` : "";
  if (!rendered && hosts.size > 0) {
    rendered = true;
    const n = hosts.size;
    // after the next frame is painted
    requestAnimationFrame(() =>
      setTimeout(() => {
        window.vmresRender = { hosts: n, ms: performance.now() - t0, sinceNavigationMs: performance.now() };
        document.body.dataset.rendered = n;
      }, 0)
    );
  }
}

// The badge says what the server says of its source (broker unreachable, no job writing, live,
// quiet, replay ended...), never "live" only because this page's own stream is open.
function connect() {
  const token = new URLSearchParams(location.search).get("token");
  const es = new EventSource("events" + (token ? "?token=" + encodeURIComponent(token) : ""));
  es.onerror = () => {
    streamLost = true;
    renderStatus();
    if (es.readyState === EventSource.CLOSED) {
      // refused (too many pages open: 503) or gone: the browser does not retry by itself
      $("status-detail").textContent =
        "the dashboard server refused this page's stream (too many pages open?); retrying in 10 s";
      setTimeout(connect, 10000);
    }
  };
  es.onmessage = (m) => apply(JSON.parse(m.data));
}

// ages run on between updates
setInterval(() => {
  renderStatus();
  if (!choicesLoaded) loadChoices();
  for (const td of document.querySelectorAll("#power td.age")) {
    td.textContent = `${ago(now - Number(td.dataset.ts))} ago`;
  }
}, 1000);

connect();
