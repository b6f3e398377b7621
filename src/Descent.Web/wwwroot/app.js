// Descent playground: the page of `descent serve`. Every number shown comes from the server (the Descent library);
// this file only draws. Charts: uPlot (vendor/, installed from npm with a lock file); the contour plot is drawn on a canvas.
"use strict";

const COLORS = ["#2459c7", "#d1495b", "#2a9d55", "#e08e0b", "#7b3fb5", "#0e8c8c", "#8c5a2b", "#c2185b"];
const state = {
  landscapes: [], landscape: null, grid: null, start: null,
  trajectories: [], frame: 0, animation: null,
  schedules: [], scheduleResults: [],
  training: null, runs: [],
  charts: {},
};
// Read by the browser tests: the data each chart plots.
window.playground = state;

// ---------- helpers ----------
const $ = (id) => document.getElementById(id);
const fmt = (v, digits = 4) => (v === null || v === undefined || Number.isNaN(v)) ? "—" : Number(v).toPrecision(digits);

async function api(path, body) {
  const response = await fetch(path, body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const data = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) { const e = new Error(data.error || `HTTP ${response.status}`); e.data = data; e.status = response.status; throw e; }
  return data;
}

// The message as the CLI prints it (with the caret under the offending token for text errors).
const cliMessage = (e) => (e.data && e.data.cli) ? e.data.cli : `descent: ${e.message}`;

function chartWidth(el) { return Math.max(280, el.clientWidth || el.parentElement.clientWidth - 20); }

// Tick labels that stay distinct on log and small-valued axes (uPlot's default rounds 1e-5 to 0).
function tickLabels(u, splits) {
  return splits.map((v) => v === null || v === undefined ? "" : v === 0 ? "0"
    : (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5) ? String(+v.toPrecision(4)) : v.toExponential(Math.abs(+v.toExponential().split("e")[0]) === 1 ? 0 : 1));
}

function makeChart(id, xLabel, yLabel, series, data, opts = {}) {
  const el = $(id);
  if (state.charts[id]) { state.charts[id].destroy(); }
  el.innerHTML = "";
  const chart = new uPlot({
    width: chartWidth(el), height: opts.height || 300,
    scales: { x: { time: false }, y: opts.logY ? { distr: 3 } : {} },
    axes: [{ label: xLabel, labelSize: 20, values: tickLabels }, { label: yLabel, labelSize: 20, size: 70, values: tickLabels }],
    legend: { live: true },
    series: [{ label: xLabel }, ...series.map((s, i) => ({ label: s.label, stroke: s.color || COLORS[i % COLORS.length], width: 1.5, spanGaps: false, points: { show: s.points || false } }))],
  }, data, el);
  state.charts[id] = chart;
  return chart;
}

window.addEventListener("resize", () => {
  for (const [id, chart] of Object.entries(state.charts)) chart.setSize({ width: chartWidth($(id)), height: chart.height });
  drawContour();
});

// ---------- tabs ----------
function show(page) {
  for (const b of document.querySelectorAll(".tab")) b.classList.toggle("active", b.dataset.page === page);
  for (const s of document.querySelectorAll(".page")) s.classList.toggle("active", s.id === `page-${page}`);
  if (location.hash !== `#${page}`) history.replaceState(null, "", `#${page}`);
  window.dispatchEvent(new Event("resize"));
  if (page === "schedules" && state.scheduleResults.length === 0) updateSchedules();
  if (page === "training") refreshRuns();
}
for (const b of document.querySelectorAll(".tab")) b.addEventListener("click", () => show(b.dataset.page));

// ---------- landscapes ----------
function addOptimizerRow(optimizer = "", schedule = "") {
  const tbody = $("optimizers").querySelector("tbody");
  const row = document.createElement("tr");
  row.innerHTML = `<td><span class="swatch"></span></td><td><input class="optimizer" spellcheck="false"></td>` +
    `<td><input class="schedule" spellcheck="false" placeholder="constant"></td><td class="result mono"></td><td><button type="button" class="remove">Remove</button></td>`;
  row.querySelector(".optimizer").value = optimizer;
  row.querySelector(".schedule").value = schedule;
  row.querySelector(".remove").addEventListener("click", () => { row.remove(); recolor(); });
  tbody.appendChild(row);
  recolor();
}
function recolor() {
  [...$("optimizers").querySelectorAll("tbody tr")].forEach((r, i) => { r.querySelector(".swatch").style.background = COLORS[i % COLORS.length]; });
}

async function loadLandscapes() {
  state.landscapes = await api("/api/landscapes");
  const select = $("function");
  for (const l of state.landscapes) { const o = document.createElement("option"); o.value = l.name; o.textContent = l.name; select.appendChild(o); }
  select.addEventListener("change", () => selectLandscape(select.value));
  await selectLandscape(state.landscapes[0].name);
}

async function selectLandscape(name) {
  state.landscape = state.landscapes.find((l) => l.name === name);
  $("function").value = name;
  $("function-title").textContent = state.landscape.title;
  $("seed-label").hidden = !state.landscape.noisy;
  state.start = state.landscape.start.slice();
  state.trajectories = [];
  state.grid = await api(`/api/landscapes/${encodeURIComponent(name)}/grid?n=160`);
  updateStartLabel();
  drawContour();
  drawLossChart();
}

function updateStartLabel() { $("start-label").textContent = `start (${fmt(state.start[0])}, ${fmt(state.start[1])})`; }

// Plot area of the contour canvas (pixels) and the mapping to function coordinates.
const MARGIN = { left: 56, right: 12, top: 10, bottom: 44 };
function frameOf(canvas) {
  const [x0, x1, y0, y1] = state.landscape.bounds;
  const w = canvas.width - MARGIN.left - MARGIN.right, h = canvas.height - MARGIN.top - MARGIN.bottom;
  return {
    x0, x1, y0, y1, w, h,
    px: (x) => MARGIN.left + (x - x0) / (x1 - x0) * w,
    py: (y) => MARGIN.top + (1 - (y - y0) / (y1 - y0)) * h,
    fx: (px) => x0 + (px - MARGIN.left) / w * (x1 - x0),
    fy: (py) => y0 + (1 - (py - MARGIN.top) / h) * (y1 - y0),
  };
}

function niceTicks(lo, hi, count) {
  const step0 = (hi - lo) / count, mag = Math.pow(10, Math.floor(Math.log10(step0)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= step0) || 10 * mag;
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step) ticks.push(Math.abs(t) < 1e-12 * step ? 0 : t);
  return ticks;
}

// Log-spaced contour levels of f − f* (f* the grid's minimum), from marching squares over the server's grid.
function contourLevels(z) {
  let lo = Infinity, hi = -Infinity;
  for (const row of z) for (const v of row) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const span = hi - lo, levels = [];
  const first = Math.max(span * 1e-6, 1e-12);
  for (let k = 0; k < 24; k++) levels.push(lo + first * Math.pow(span / first, k / 23));
  return { lo, hi, levels };
}

function drawContour() {
  const canvas = $("contour");
  if (!state.landscape || !state.grid) return;
  const ctx = canvas.getContext("2d");
  const f = frameOf(canvas), { x, y, z } = state.grid;
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, canvas.width, canvas.height);
  const { lo, hi, levels } = contourLevels(z);
  // Shading by log(f − f*): dark blue at the minimum to pale at the top.
  const nx = x.length, ny = y.length, cw = f.w / (nx - 1), ch = f.h / (ny - 1);
  const logSpan = Math.log1p((hi - lo) / Math.max((hi - lo) * 1e-6, 1e-12));
  for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const t = Math.log1p((z[j][i] - lo) / Math.max((hi - lo) * 1e-6, 1e-12)) / logSpan;
    const c = Math.round(150 + 105 * t);
    ctx.fillStyle = `rgb(${c - 20},${c - 5},${255})`;
    ctx.fillRect(f.px(x[i]) - cw / 2, f.py(y[j]) - ch / 2, cw + 1, ch + 1);
  }
  ctx.strokeStyle = "rgba(30,40,80,0.45)"; ctx.lineWidth = 1;
  for (const level of levels) {
    ctx.beginPath();
    for (let j = 0; j < ny - 1; j++) for (let i = 0; i < nx - 1; i++) {
      const a = z[j][i], b = z[j][i + 1], c = z[j + 1][i + 1], d = z[j + 1][i];
      const pts = [];
      const edge = (v1, v2, xa, ya, xb, yb) => { if ((v1 < level) !== (v2 < level)) { const t = (level - v1) / (v2 - v1); pts.push([xa + t * (xb - xa), ya + t * (yb - ya)]); } };
      edge(a, b, x[i], y[j], x[i + 1], y[j]);
      edge(b, c, x[i + 1], y[j], x[i + 1], y[j + 1]);
      edge(c, d, x[i + 1], y[j + 1], x[i], y[j + 1]);
      edge(d, a, x[i], y[j + 1], x[i], y[j]);
      for (let k = 0; k + 1 < pts.length; k += 2) { ctx.moveTo(f.px(pts[k][0]), f.py(pts[k][1])); ctx.lineTo(f.px(pts[k + 1][0]), f.py(pts[k + 1][1])); }
    }
    ctx.stroke();
  }
  // Axes with ticks and labels.
  ctx.strokeStyle = "#333"; ctx.fillStyle = "#222"; ctx.font = "12px system-ui, sans-serif";
  ctx.strokeRect(MARGIN.left, MARGIN.top, f.w, f.h);
  ctx.textAlign = "center"; ctx.textBaseline = "top";
  for (const t of niceTicks(f.x0, f.x1, 8)) { const p = f.px(t); ctx.beginPath(); ctx.moveTo(p, MARGIN.top + f.h); ctx.lineTo(p, MARGIN.top + f.h + 5); ctx.stroke(); ctx.fillText(String(+t.toFixed(6)), p, MARGIN.top + f.h + 7); }
  ctx.fillText("x (parameter 1)", MARGIN.left + f.w / 2, canvas.height - 16);
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  for (const t of niceTicks(f.y0, f.y1, 6)) { const p = f.py(t); ctx.beginPath(); ctx.moveTo(MARGIN.left - 5, p); ctx.lineTo(MARGIN.left, p); ctx.stroke(); ctx.fillText(String(+t.toFixed(6)), MARGIN.left - 7, p); }
  ctx.save(); ctx.translate(14, MARGIN.top + f.h / 2); ctx.rotate(-Math.PI / 2); ctx.textAlign = "center"; ctx.fillText("y (parameter 2)", 0, 0); ctx.restore();
  ctx.textAlign = "left"; ctx.textBaseline = "top"; ctx.fillStyle = "rgba(20,20,40,.75)";
  ctx.fillText(`contours of f at 24 log-spaced levels of f − ${fmt(lo, 3)}`, MARGIN.left + 6, MARGIN.top + 4);
  // Minima (stars) and the start point (ring).
  ctx.save(); ctx.beginPath(); ctx.rect(MARGIN.left, MARGIN.top, f.w, f.h); ctx.clip();
  ctx.fillStyle = "#ffd400"; ctx.strokeStyle = "#333";
  for (const [mx, my] of state.landscape.minima) { ctx.beginPath(); ctx.arc(f.px(mx), f.py(my), 5, 0, 2 * Math.PI); ctx.fill(); ctx.stroke(); }
  // Trajectories up to the current frame.
  state.trajectories.forEach((t, index) => {
    if (!t || !t.x) return;
    const n = Math.min(t.x.length - 1, state.frame);
    ctx.strokeStyle = t.color; ctx.lineWidth = 2; ctx.beginPath();
    for (let k = 0; k <= n; k++) { const px = f.px(t.x[k]), py = f.py(t.y[k]); if (k === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py); }
    ctx.stroke();
    ctx.fillStyle = t.color; ctx.beginPath(); ctx.arc(f.px(t.x[n]), f.py(t.y[n]), 4, 0, 2 * Math.PI); ctx.fill();
  });
  ctx.strokeStyle = "#000"; ctx.lineWidth = 2; ctx.beginPath(); ctx.arc(f.px(state.start[0]), f.py(state.start[1]), 6, 0, 2 * Math.PI); ctx.stroke();
  ctx.restore();
}

$("contour").addEventListener("click", (event) => {
  const canvas = $("contour"), rect = canvas.getBoundingClientRect();
  const px = (event.clientX - rect.left) * canvas.width / rect.width, py = (event.clientY - rect.top) * canvas.height / rect.height;
  const f = frameOf(canvas);
  if (px < MARGIN.left || px > MARGIN.left + f.w || py < MARGIN.top || py > MARGIN.top + f.h) return;
  state.start = [f.fx(px), f.fy(py)];
  updateStartLabel();
  runTrajectories();
});
$("reset-start").addEventListener("click", () => { state.start = state.landscape.start.slice(); updateStartLabel(); runTrajectories(); });

async function runTrajectories() {
  const rows = [...$("optimizers").querySelectorAll("tbody tr")];
  const steps = Number($("steps").value), seed = Number($("seed").value || 0);
  $("run-status").textContent = "computing…";
  if (state.animation) cancelAnimationFrame(state.animation);
  const results = await Promise.all(rows.map(async (row, i) => {
    const cell = row.querySelector(".result");
    const optimizer = row.querySelector(".optimizer").value, schedule = row.querySelector(".schedule").value;
    try {
      const r = await api("/api/trajectory", { function: state.landscape.name, seed, start: state.start, optimizer, schedule: schedule.trim() === "" ? null : schedule, steps });
      r.color = COLORS[i % COLORS.length]; r.label = optimizer;
      const last = r.x.length - 1;
      cell.innerHTML = "";
      cell.className = "result mono ok";
      cell.textContent = `${last} steps → (${fmt(r.x[last], 6)}, ${fmt(r.y[last], 6)}), f = ${fmt(r.loss[last], 5)}` + (r.stopped ? `; ${r.stopped}` : "");
      return r;
    } catch (e) {
      cell.className = "result";
      cell.innerHTML = "";
      const pre = document.createElement("pre"); pre.className = "error"; pre.textContent = cliMessage(e); cell.appendChild(pre);
      return null;
    }
  }));
  state.trajectories = results;
  const longest = Math.max(0, ...results.filter(Boolean).map((r) => r.x.length - 1));
  $("frame").max = String(longest);
  $("run-status").textContent = `${results.filter(Boolean).length} of ${results.length} computed`;
  drawLossChart();
  animate(longest);
}

function animate(longest) {
  const began = performance.now(), duration = Math.min(4000, 400 + longest * 8);
  const tick = (now) => {
    state.frame = Math.min(longest, Math.round((now - began) / duration * longest));
    $("frame").value = String(state.frame);
    $("frame-label").textContent = `${state.frame} / ${longest}`;
    drawContour();
    if (state.frame < longest) state.animation = requestAnimationFrame(tick); else state.animation = null;
  };
  state.animation = requestAnimationFrame(tick);
}
$("frame").addEventListener("input", () => { if (state.animation) cancelAnimationFrame(state.animation); state.frame = Number($("frame").value); $("frame-label").textContent = `${state.frame} / ${$("frame").max}`; drawContour(); });
$("replay").addEventListener("click", () => animate(Number($("frame").max)));
$("run").addEventListener("click", runTrajectories);
$("add-optimizer").addEventListener("click", () => addOptimizerRow("sgd(lr=1e-3)", ""));

function drawLossChart() {
  const runs = state.trajectories.filter(Boolean);
  const fstar = state.landscape && state.landscape.minimum_value !== null ? state.landscape.minimum_value : 0;
  const longest = Math.max(0, ...runs.map((r) => r.loss.length));
  const xs = Array.from({ length: longest }, (_, k) => k);
  const data = [xs, ...runs.map((r) => xs.map((k) => k < r.loss.length ? Math.max(r.loss[k] - fstar, 1e-16) : null))];
  makeChart("loss-chart", "step (optimizer steps; L-BFGS: iterations)", `f(x, y) − f* (f* = ${fmt(fstar, 3)}), log scale`,
    runs.map((r) => ({ label: r.label, color: r.color })), data, { logY: true, height: 420 });
}

// ---------- schedules ----------
function addScheduleRow(text) {
  const tbody = $("schedules").querySelector("tbody");
  const row = document.createElement("tr");
  row.innerHTML = `<td><span class="swatch"></span></td><td><input class="schedule-text" spellcheck="false"><pre class="error" hidden></pre></td><td><button type="button" class="remove">Remove</button></td>`;
  row.querySelector(".schedule-text").value = text;
  row.querySelector(".schedule-text").addEventListener("input", scheduleSoon);
  row.querySelector(".remove").addEventListener("click", () => { row.remove(); updateSchedules(); });
  tbody.appendChild(row);
  [...tbody.querySelectorAll("tr")].forEach((r, i) => { r.querySelector(".swatch").style.background = COLORS[i % COLORS.length]; });
}
let scheduleTimer = null;
function scheduleSoon() { clearTimeout(scheduleTimer); scheduleTimer = setTimeout(updateSchedules, 150); }
for (const id of ["sched-steps", "sched-lr", "sched-wd", "sched-batch"]) $(id).addEventListener("input", scheduleSoon);
$("add-schedule").addEventListener("click", () => { addScheduleRow("step(3000, gamma=0.3)"); updateSchedules(); });

let scheduleGeneration = 0;
async function updateSchedules() {
  const generation = ++scheduleGeneration;
  const rows = [...$("schedules").querySelectorAll("tbody tr")];
  const steps = Number($("sched-steps").value), lr = Number($("sched-lr").value), wd = Number($("sched-wd").value), batch = Number($("sched-batch").value);
  const results = await Promise.all(rows.map(async (row, i) => {
    const text = row.querySelector(".schedule-text").value, pre = row.querySelector("pre.error");
    try {
      const r = await api("/api/schedule", { text, steps, lr, weight_decay: wd, batch_size: batch });
      pre.hidden = true; pre.textContent = "";
      r.color = COLORS[i % COLORS.length];
      return r;
    } catch (e) {
      pre.hidden = false; pre.textContent = cliMessage(e);
      return null;
    }
  }));
  if (generation !== scheduleGeneration) return;
  state.scheduleResults = results;
  const ok = results.filter(Boolean);
  const n = Math.max(0, ...ok.map((r) => r.lr.length));
  const xs = Array.from({ length: n }, (_, k) => k);
  const pad = (arr) => xs.map((k) => k < arr.length ? arr[k] : null);
  makeChart("schedule-chart", "step", "learning rate (per step)", ok.map((r) => ({ label: r.schedule, color: r.color })), [xs, ...ok.map((r) => pad(r.lr))]);
  makeChart("decay-chart", "step", "weight left by decay (fraction)", ok.map((r) => ({ label: r.schedule, color: r.color })), [xs, ...ok.map((r) => pad(r.decay_survival))]);
  const tbody = $("measures").querySelector("tbody");
  tbody.innerHTML = "";
  for (const r of ok) {
    const m = r.measures, tr = document.createElement("tr");
    const cells = [r.schedule + (r.absolute ? " (absolute)" : ""), fmt(m.flatness), fmt(m.lr_sum), fmt(m.weight_decay_product), fmt(m.noise_scale_first), fmt(m.noise_scale_peak), fmt(m.noise_scale_last)];
    cells.forEach((c, k) => { const td = document.createElement("td"); td.textContent = c; if (k > 0) td.className = "num"; tr.appendChild(td); });
    tr.firstChild.style.borderLeft = `4px solid ${r.color}`;
    tbody.appendChild(tr);
  }
}

// ---------- training ----------
function trainCharts() {
  const t = state.training;
  const pts = t ? t.points : [], epochs = t ? t.epochs : [];
  makeChart("train-loss-chart", "optimizer step", "cross-entropy (nats)", [{ label: "mini-batch loss" }], [pts.map((p) => p.step), pts.map((p) => p.loss)]);
  makeChart("train-acc-chart", "epoch", "test accuracy (fraction)", [{ label: "test accuracy", points: true }], [epochs.map((e) => e.epoch), epochs.map((e) => e.test_accuracy)]);
  makeChart("train-lr-chart", "optimizer step", "learning rate", [{ label: "lr", color: COLORS[3] }], [pts.map((p) => p.step), pts.map((p) => p.lr)]);
}

function updateTrainCharts() {
  const t = state.training;
  state.charts["train-loss-chart"].setData([t.points.map((p) => p.step), t.points.map((p) => p.loss)]);
  state.charts["train-lr-chart"].setData([t.points.map((p) => p.step), t.points.map((p) => p.lr)]);
  state.charts["train-acc-chart"].setData([t.epochs.map((e) => e.epoch), t.epochs.map((e) => e.test_accuracy)]);
}

$("train-start").addEventListener("click", async () => {
  const error = $("train-error");
  error.hidden = true;
  const limit = $("train-limit").value.trim();
  const body = {
    problem: $("train-problem").value, optimizer: $("train-optimizer").value,
    schedule: $("train-schedule").value.trim() === "" ? null : $("train-schedule").value,
    epochs: Number($("train-epochs").value), batch_size: Number($("train-batch").value), hidden: Number($("train-hidden").value),
    train_limit: limit === "" ? null : Number(limit), seed: Number($("train-seed").value || 0),
  };
  try {
    const started = await api("/api/train", body);
    state.training = { name: started.name, points: [], epochs: [], status: "running" };
    trainCharts();
    $("train-start").disabled = true; $("train-stop").disabled = false;
    $("train-status").textContent = `run ${started.name}: starting…`;
    const source = new EventSource(started.events);
    state.training.source = source;
    source.addEventListener("progress", (e) => {
      for (const p of JSON.parse(e.data)) state.training.points.push(p);
      const p = state.training.points[state.training.points.length - 1];
      $("train-status").textContent = `run ${started.name}: epoch ${p.epoch}, batch ${p.batch}/${p.batches_per_epoch}, step ${p.step}, loss ${fmt(p.loss)}, lr ${fmt(p.lr, 3)}, ${p.seconds.toFixed(1)} s`;
      updateTrainCharts();
    });
    source.addEventListener("epoch", (e) => { state.training.epochs.push(JSON.parse(e.data)); updateTrainCharts(); });
    source.addEventListener("done", (e) => {
      const d = JSON.parse(e.data);
      state.training.status = d.status;
      source.close();
      $("train-status").textContent = `run ${started.name}: ${d.status}. ${d.message}`;
      $("train-start").disabled = false; $("train-stop").disabled = true;
      refreshRuns();
    });
    source.onerror = () => { if (state.training.status === "running") $("train-status").textContent += " (stream interrupted; reconnecting)"; };
  } catch (e) {
    error.hidden = false; error.textContent = cliMessage(e);
  }
});

$("train-stop").addEventListener("click", async () => {
  if (!state.training) return;
  $("train-stop").disabled = true;
  try { await api(`/api/train/${encodeURIComponent(state.training.name)}/stop`, {}); } catch (e) { $("train-error").hidden = false; $("train-error").textContent = cliMessage(e); }
});

const overlay = new Set();
async function refreshRuns() {
  try {
    const info = await api("/api/info");
    $("runs-folder").textContent = `(folder ${info.runs})`;
    state.runs = await api("/api/runs");
  } catch (e) { state.runs = []; }
  const tbody = $("runs").querySelector("tbody");
  tbody.innerHTML = "";
  for (const r of state.runs) {
    const tr = document.createElement("tr");
    tr.dataset.run = r.name;
    const check = document.createElement("input"); check.type = "checkbox"; check.checked = overlay.has(r.name); check.disabled = r.epochs === 0;
    check.addEventListener("change", () => { if (check.checked) overlay.add(r.name); else overlay.delete(r.name); drawOverlay(); });
    const cells = [null, r.name, r.optimizer || "—", r.schedule || "—", String(r.epochs), r.last ? fmt(r.last.test_accuracy) : "—", r.last ? fmt(r.last.test_loss) : "—", null];
    cells.forEach((c, k) => {
      const td = document.createElement("td");
      if (k === 0) td.appendChild(check);
      else if (k === 7) { if (r.has_report) { const a = document.createElement("a"); a.href = `/runs/${encodeURIComponent(r.name)}/report.html`; a.target = "_blank"; a.textContent = "report"; a.className = "report"; td.appendChild(a); } else td.textContent = "—"; }
      else { td.textContent = c; if (k >= 4) td.className = "num"; if (k === 1) td.className = "mono"; }
      tr.appendChild(td);
    });
    tbody.appendChild(tr);
  }
  drawOverlay();
}
$("runs-refresh").addEventListener("click", refreshRuns);

async function drawOverlay() {
  const names = [...overlay].filter((n) => state.runs.some((r) => r.name === n));
  const runs = await Promise.all(names.map((n) => api(`/api/runs/${encodeURIComponent(n)}`).catch(() => null)));
  const ok = runs.filter(Boolean);
  const n = Math.max(0, ...ok.map((r) => r.metrics.length ? r.metrics[r.metrics.length - 1].epoch : 0));
  const xs = Array.from({ length: n }, (_, k) => k + 1);
  const col = (r, key) => xs.map((e) => { const m = r.metrics.find((row) => row.epoch === e); return m ? m[key] : null; });
  state.overlay = ok;
  makeChart("overlay-acc-chart", "epoch", "test accuracy (fraction)", ok.map((r) => ({ label: r.name, points: true })), [xs, ...ok.map((r) => col(r, "test_accuracy"))]);
  makeChart("overlay-loss-chart", "epoch", "test cross-entropy (nats)", ok.map((r) => ({ label: r.name, points: true })), [xs, ...ok.map((r) => col(r, "test_loss"))]);
}

// ---------- start ----------
(async function main() {
  addOptimizerRow("sgd(lr=1e-3, momentum=0.9)", "");
  addOptimizerRow("adam(lr=0.05)", "cosine(300)");
  addOptimizerRow("lbfgs()", "");
  addScheduleRow("warmup(500) >> cosine(10000, min=1e-5)");
  addScheduleRow("wsd(10000, warmup=500, decay=2000)");
  trainCharts();
  await loadLandscapes();
  const page = (location.hash || "#landscapes").slice(1);
  show(["landscapes", "schedules", "training"].includes(page) ? page : "landscapes");
  if (page === "landscapes" || !["schedules", "training"].includes(page)) await runTrajectories();
  document.body.dataset.ready = "true";
})();
