#!/usr/bin/env node
// Browser test of report.html (CTest label `browser`): runs `needlework simulate` on a bundled
// example, opens DIR/report.html from disk in headless Chromium (Debian's /usr/bin/chromium driven
// by playwright-core from web/node_modules) with every network request blocked, and checks:
//   - no console errors, no page errors, no network request (the page is self-contained);
//   - every chart rendered: one Chart.js instance per canvas, with data, and painted pixels;
//   - every tagged number (data-key) equals its value in summary.json / provenance.json /
//     parameters.csv, and its shown text equals that value to the digits shown;
//   - every number of the per-area, device, tissue, outcomes and safety sections of summary.json
//     is in the page, and the page says needlework is not a medical device;
//   - the number check fails on a doctored summary.json (so it can fail);
// and saves a full-page screenshot (printed path) as a test artifact.
//
// Usage: node report_check.js --cli BIN --scenario FILE --out DIR --screenshot PNG [--root DIR]
//        node report_check.js --dir DIR --screenshot PNG [--root DIR]   (an existing results folder)
// Exit: 0 pass, 1 fail, 77 skipped (only when Chromium is not installed; said loudly).
"use strict";

const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");

function args() {
  const out = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, "")] = argv[i + 1];
  // --dir DIR checks an existing results folder instead of running simulate (for checking a
  // folder by hand, e.g. one whose report.html was edited to see the check fail).
  if (out.dir) { out.out = out.dir; out.cli = out.cli || "-"; out.scenario = out.scenario || "-"; }
  for (const k of ["cli", "scenario", "out", "screenshot"]) {
    if (!out[k]) {
      console.error(`report_check.js: missing --${k}`);
      process.exit(1);
    }
  }
  out.root = out.root || process.cwd();
  out.chromium = process.env.NW_CHROMIUM || "/usr/bin/chromium";
  return out;
}

function parseCsv(text) {
  const rows = [];
  let row = [], field = "", quoted = false, any = false;
  const push = () => { row.push(field); field = ""; };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') { quoted = true; any = true; }
    else if (c === ",") { push(); any = true; }
    else if (c === "\n") { if (any || field) { push(); rows.push(row); } row = []; any = false; }
    else if (c !== "\r") { field += c; any = true; }
  }
  if (any || field) { push(); rows.push(row); }
  const header = rows.shift();
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

function lookup(obj, key) {
  let node = obj;
  for (const part of key.split(".")) {
    if (node === null || node === undefined) return undefined;
    node = node[part];
  }
  return node;
}

// Numeric leaves under `obj` as dotted paths.
function numericLeaves(obj, prefix, out) {
  if (obj === null || obj === undefined) return out;
  if (typeof obj === "number") { out.push(prefix); return out; }
  if (typeof obj === "object") {
    for (const [k, v] of Object.entries(obj)) numericLeaves(v, prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}

// Half a unit in the last shown digit of `text` ("1497", "0.999", "1.50e-05").
function halfUlp(text) {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(text);
  if (!m) return null;
  const decimals = m[3] ? m[3].length : 0;
  const exponent = m[4] ? parseInt(m[4], 10) : 0;
  return 0.5 * Math.pow(10, exponent - decimals);
}

// Compares every tagged number of the page with the result files; returns the failures.
function checkNumbers(tags, files) {
  const failures = [];
  for (const t of tags) {
    const where = `${t.file}:${t.key}`;
    if (t.file === "parameters.csv") {
      const sep = t.key.indexOf(":");
      const row = files.parameters.find((r) => r.file === t.key.slice(0, sep) && r.parameter === t.key.slice(sep + 1));
      if (!row) failures.push(`${where}: not in parameters.csv`);
      else if (row.value !== t.value || t.text !== row.value) failures.push(`${where}: page ${t.text} (${t.value}), file ${row.value}`);
      continue;
    }
    const source = t.file === "summary.json" ? files.summary : t.file === "provenance.json" ? files.provenance : null;
    if (!source) { failures.push(`${where}: unknown file`); continue; }
    const expected = lookup(source, t.key);
    if (typeof expected !== "number") { failures.push(`${where}: not a number in ${t.file} (${expected})`); continue; }
    const value = Number(t.value);
    if (value !== expected) { failures.push(`${where}: data-value ${t.value} but ${t.file} has ${expected}`); continue; }
    const ulp = halfUlp(t.text);
    const scale = Number(t.scale);
    if (ulp === null || !(scale > 0)) { failures.push(`${where}: shown text '${t.text}' is not a number`); continue; }
    const shown = Number(t.text) / scale;
    if (Math.abs(shown - expected) > (ulp / scale) * (1 + 1e-9) + 1e-300) {
      failures.push(`${where}: shown ${t.text} (x${scale}) differs from ${expected} by more than the digits shown`);
    }
  }
  return failures;
}

async function main() {
  const a = args();
  if (!fs.existsSync(a.chromium)) {
    const bar = "!".repeat(78);
    console.log(`${bar}\n!! SKIPPED: the browser test did NOT run: ${a.chromium} is not installed.\n` +
                `!! report.html was not checked in a browser. Install it with tools/setup.sh (Debian package\n` +
                `!! 'chromium') or point NW_CHROMIUM at a Chromium binary.\n${bar}`);
    process.exit(77);
  }
  const { chromium } = require(path.join(a.root, "web", "node_modules", "playwright-core"));

  if (!a.dir) {
    fs.rmSync(a.out, { recursive: true, force: true });
    execFileSync(a.cli, ["simulate", a.scenario, "-o", a.out], { cwd: a.root, stdio: ["ignore", "ignore", "inherit"] });
  }
  const reportPath = path.resolve(a.out, "report.html");
  const files = {
    summary: JSON.parse(fs.readFileSync(path.join(a.out, "summary.json"), "utf8")),
    provenance: JSON.parse(fs.readFileSync(path.join(a.out, "provenance.json"), "utf8")),
    parameters: parseCsv(fs.readFileSync(path.join(a.out, "parameters.csv"), "utf8")),
  };

  const failures = [];
  const browser = await chromium.launch({ executablePath: a.chromium, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") failures.push(`console ${m.type()}: ${m.text()}`); });
    page.on("pageerror", (e) => failures.push(`page error: ${e.message}`));
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url === `file://${reportPath}`) return route.continue();
      failures.push(`network request (the page must be self-contained): ${url}`);
      return route.abort();
    });
    await page.goto(`file://${reportPath}`, { waitUntil: "load" });

    // Charts: one Chart.js instance per canvas, with data, and painted pixels.
    const charts = await page.evaluate(() => Array.from(document.querySelectorAll("canvas")).map((c) => {
      const chart = window.Chart && window.Chart.getChart(c);
      const ctx = c.getContext("2d");
      const pixels = ctx.getImageData(0, 0, c.width, c.height).data;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
      return { id: c.id, hasChart: !!chart, points: chart ? chart.data.datasets.reduce((n, d) => n + d.data.length, 0) : 0,
               painted, total: c.width * c.height };
    }));
    const drawn = await page.evaluate(() => document.body.dataset.chartsDrawn);
    const summary = files.summary;
    // The charts the result files call for: uptake and layers per area of transport.csv, a depth
    // histogram per area, an outcome timeline per outcome with a timeline_csv.
    const expected = [];
    if (summary.transport && fs.existsSync(path.join(a.out, "transport.csv"))) {
      const areas = new Set(parseCsv(fs.readFileSync(path.join(a.out, "transport.csv"), "utf8")).map((r) => r.area));
      for (const area of areas) expected.push(`uptake-${area}`, `layers-${area}`);
    }
    summary.channels.by_area.forEach((_, i) => expected.push(`depth-${i}`));
    (Array.isArray(summary.outcomes) ? summary.outcomes : []).forEach((o, i) => { if (o.timeline_csv) expected.push(`outcome-${i}`); });
    const ids = new Set(charts.map((c) => c.id));
    const absent = expected.filter((id) => !ids.has(id));
    if (absent.length) failures.push(`charts missing: ${absent.join(", ")} (page has ${[...ids].join(", ")})`);
    if (String(charts.length) !== drawn) failures.push(`page script drew ${drawn} charts of ${charts.length} canvases`);
    for (const c of charts) {
      const share = c.total ? c.painted / c.total : 0;
      if (!c.hasChart || c.points === 0 || share < 0.01) {
        failures.push(`chart ${c.id} not rendered (Chart.js instance ${c.hasChart}, ${c.points} points, ${(100 * share).toFixed(2)}% pixels painted)`);
      }
    }

    // Numbers.
    const tags = await page.evaluate(() => Array.from(document.querySelectorAll("[data-key]")).map((e) => ({
      file: e.dataset.file, key: e.dataset.key, value: e.dataset.value, scale: e.dataset.scale, text: e.textContent.trim() })));
    failures.push(...checkNumbers(tags, files));
    const shown = new Set(tags.filter((t) => t.file === "summary.json").map((t) => t.key));
    const required = ["channels.per_cm2_per_session", "channels.depth_um.mean", "channels.bleeding_fraction",
                      "channels.closure_half_life_h", "seed"];
    if (summary.barrier) required.push("barrier.tewl_recovery_h");
    if (summary.transport) required.push("transport.delivered_ug_per_cm2", "transport.fraction_of_dose", "transport.enhancement_vs_intact");
    for (const section of ["device", "tissue", "outcomes", "safety"]) numericLeaves(summary[section], section, required);
    summary.channels.by_area.forEach((_, i) => numericLeaves(summary.channels.by_area[i], `channels.by_area.${i}`, required));
    const missing = required.filter((k) => !shown.has(k) && typeof lookup(summary, k) === "number");
    if (missing.length) failures.push(`numbers of summary.json not in the page: ${missing.join(", ")}`);
    const paramTags = tags.filter((t) => t.file === "parameters.csv").length;
    const numericParams = files.parameters.filter((r) => r.value !== "" && !isNaN(Number(r.value))).length;
    if (paramTags !== numericParams) failures.push(`${paramTags} parameter values tagged, parameters.csv has ${numericParams} numeric rows`);

    const text = await page.evaluate(() => document.body.innerText);
    if (!/not a medical device/.test(text)) failures.push("the page does not say needlework is not a medical device");
    for (const id of ["simulated", "numbers", "charts", "parameters", "evidence", "config", "provenance"]) {
      if (!(await page.$(`section#${id}`))) failures.push(`section #${id} missing`);
    }

    // The check itself must fail on a doctored file.
    const doctored = JSON.parse(JSON.stringify(files.summary));
    doctored.channels.per_cm2_per_session += 10;
    const caught = checkNumbers(tags, { ...files, summary: doctored });
    if (!caught.some((f) => f.includes("channels.per_cm2_per_session"))) failures.push("the number check missed a doctored value");

    fs.mkdirSync(path.dirname(a.screenshot), { recursive: true });
    await page.screenshot({ path: a.screenshot, fullPage: true });
    console.log(`report: ${reportPath}`);
    console.log(`screenshot: ${path.resolve(a.screenshot)}`);
    console.log(`browser: Chromium ${browser.version()}; ${charts.length} charts (painted ${charts.map((c) => (100 * c.painted / c.total).toFixed(1) + "%").join(", ")}); ` +
                `${tags.length} tagged numbers checked (${shown.size} summary.json keys, ${paramTags} parameters)`);
  } finally {
    await browser.close();
  }
  if (failures.length) {
    console.log(`FAILED (${failures.length}):\n  ${failures.join("\n  ")}`);
    process.exit(1);
  }
  console.log("report.html: OK");
}

main().catch((e) => { console.error(e); process.exit(1); });
