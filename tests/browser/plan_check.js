#!/usr/bin/env node
// Browser test of plan.html (CTest label `browser`): runs `needlework plan` on a patient file,
// opens DIR/plan.html from disk in headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core from web/node_modules) with every network request blocked, and checks:
//   - no console errors or warnings, no page errors, no network request (self-contained page);
//   - every chart rendered (one Chart.js instance per canvas, with data, painted pixels): the
//     expected course per area and the protocol comparison per area; the expected-course chart's
//     points equal plan.json's areas[*].expected.over_time;
//   - every tagged number (data-key) equals its value in plan.json / provenance.json, and its
//     shown text equals that value to the digits shown;
//   - the numbers of plan.json a practitioner needs (every numeric leaf except the timelines
//     drawn as charts) are in the page, every scheduled date is, and the page says needlework is
//     not a medical device; the sections are all there;
//   - the number check fails on a doctored plan.json (so it can fail);
// and saves a full-page screenshot (printed path) as a test artifact; --picture PNG also saves
// the top 1280x1500 pixels of the page (the README's picture).
//
// Usage: node plan_check.js --cli BIN --scenario FILE --out DIR --screenshot PNG [--root DIR] [--picture PNG]
//                           [--expect-exit N]   (N = 5: screening refuses; the page must say so)
//        node plan_check.js --dir DIR --screenshot PNG [--root DIR]   (an existing plan folder)
// Exit: 0 pass, 1 fail, 77 skipped (only when Chromium is not installed; said loudly).
"use strict";

const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");

function args() {
  const out = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, "")] = argv[i + 1];
  if (out.dir) { out.out = out.dir; out.cli = out.cli || "-"; out.scenario = out.scenario || "-"; }
  for (const k of ["cli", "scenario", "out", "screenshot"]) {
    if (!out[k]) {
      console.error(`plan_check.js: missing --${k}`);
      process.exit(1);
    }
  }
  out.root = out.root || process.cwd();
  out.chromium = process.env.NW_CHROMIUM || "/usr/bin/chromium";
  return out;
}

function lookup(obj, key) {
  let node = obj;
  for (const part of key.split(".")) {
    if (node === null || node === undefined) return undefined;
    node = node[part];
  }
  return node;
}

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

function checkNumbers(tags, files) {
  const failures = [];
  for (const t of tags) {
    const where = `${t.file}:${t.key}`;
    const source = files[t.file];
    if (!source) { failures.push(`${where}: unknown file`); continue; }
    const expected = lookup(source, t.key);
    if (typeof expected !== "number") { failures.push(`${where}: not a number in ${t.file} (${expected})`); continue; }
    if (Number(t.value) !== expected) { failures.push(`${where}: data-value ${t.value} but ${t.file} has ${expected}`); continue; }
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

// Numbers of plan.json that are drawn rather than written: the timelines, and what the
// compared protocols repeat of the plan's scale (their at_follow_up and baseline).
const drawnOrRepeated = [
  /\.over_time\./,
  /^areas\.\d+\.compared\.\d+\.expected\.(at_follow_up|baseline|responder_fraction)/,
  /^areas\.\d+\.compared\.\d+\.topical\./,
  /^areas\.\d+\.compared\.\d+\.minutes_per_session$/,
];

async function main() {
  const a = args();
  if (!fs.existsSync(a.chromium)) {
    const bar = "!".repeat(78);
    console.log(`${bar}\n!! SKIPPED: the browser test did NOT run: ${a.chromium} is not installed.\n` +
                `!! plan.html was not checked in a browser. Install it with tools/setup.sh (Debian package\n` +
                `!! 'chromium') or point NW_CHROMIUM at a Chromium binary.\n${bar}`);
    process.exit(77);
  }
  const { chromium } = require(path.join(a.root, "web", "node_modules", "playwright-core"));

  if (!a.dir) {
    fs.rmSync(a.out, { recursive: true, force: true });
    const started = Date.now();
    // --expect-exit 5: a patient screening refuses (plan.json and plan.html are still written).
    const expectExit = Number(a["expect-exit"] || 0);
    try {
      execFileSync(a.cli, ["plan", a.scenario, "-o", a.out], { cwd: a.root, stdio: ["ignore", "ignore", "inherit"] });
      if (expectExit !== 0) throw new Error(`plan exited 0, expected ${expectExit}`);
    } catch (e) {
      if (e.status === undefined || e.status !== expectExit) throw e;
    }
    console.log(`plan: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const htmlPath = path.resolve(a.out, "plan.html");
  const files = {
    "plan.json": JSON.parse(fs.readFileSync(path.join(a.out, "plan.json"), "utf8")),
    "provenance.json": JSON.parse(fs.readFileSync(path.join(a.out, "provenance.json"), "utf8")),
  };
  const plan = files["plan.json"];

  const failures = [];
  const browser = await chromium.launch({ executablePath: a.chromium, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") failures.push(`console ${m.type()}: ${m.text()}`); });
    page.on("pageerror", (e) => failures.push(`page error: ${e.message}`));
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url === `file://${htmlPath}`) return route.continue();
      failures.push(`network request (the page must be self-contained): ${url}`);
      return route.abort();
    });
    await page.goto(`file://${htmlPath}`, { waitUntil: "load" });

    // Charts.
    const charts = await page.evaluate(() => Array.from(document.querySelectorAll("canvas")).map((c) => {
      const chart = window.Chart && window.Chart.getChart(c);
      const ctx = c.getContext("2d");
      const pixels = ctx.getImageData(0, 0, c.width, c.height).data;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
      return { id: c.id, hasChart: !!chart, total: c.width * c.height, painted,
               data: chart ? chart.data.datasets.map((d) => d.data.map((p) => [p.x, p.y])) : [] };
    }));
    const drawn = await page.evaluate(() => document.body.dataset.chartsDrawn);
    const expected = [];
    plan.areas.forEach((area, i) => {
      expected.push(`expected-${i}`);
      if (area.compared.length) expected.push(`protocols-${i}`);
    });
    const ids = new Set(charts.map((c) => c.id));
    const absent = expected.filter((id) => !ids.has(id));
    if (absent.length) failures.push(`charts missing: ${absent.join(", ")} (page has ${[...ids].join(", ")})`);
    if (String(charts.length) !== drawn) failures.push(`page script drew ${drawn} charts of ${charts.length} canvases`);
    for (const c of charts) {
      const points = c.data.reduce((n, d) => n + d.length, 0);
      const share = c.total ? c.painted / c.total : 0;
      if (!c.hasChart || points === 0 || share < 0.01) {
        failures.push(`chart ${c.id} not rendered (Chart.js instance ${c.hasChart}, ${points} points, ${(100 * share).toFixed(2)}% pixels painted)`);
      }
    }
    // The expected-course chart draws plan.json's timeline: median, p05, p95 per day.
    plan.areas.forEach((area, i) => {
      const c = charts.find((x) => x.id === `expected-${i}`);
      if (!c) return;
      const want = ["median", "p05", "p95"].map((k) => area.expected.over_time.map((p) => [p.day, p[k]]));
      if (JSON.stringify(c.data) !== JSON.stringify(want)) failures.push(`chart expected-${i} does not draw areas.${i}.expected.over_time`);
      if (!area.expected.over_time.length) failures.push(`areas.${i}.expected.over_time is empty`);
    });

    // Numbers.
    const tags = await page.evaluate(() => Array.from(document.querySelectorAll("[data-key]")).map((e) => ({
      file: e.dataset.file, key: e.dataset.key, value: e.dataset.value, scale: e.dataset.scale, text: e.textContent.trim() })));
    failures.push(...checkNumbers(tags, files));
    const shown = new Set(tags.filter((t) => t.file === "plan.json").map((t) => t.key));
    const required = numericLeaves(plan, "", []).filter((k) => !drawnOrRepeated.some((r) => r.test(k)));
    const missing = required.filter((k) => !shown.has(k));
    if (missing.length) failures.push(`numbers of plan.json not in the page: ${missing.join(", ")}`);

    const text = await page.evaluate(() => document.body.innerText);
    if (!/not a medical device/.test(text)) failures.push("the page does not say needlework is not a medical device");
    for (const v of plan.schedule) if (!text.includes(v.date)) failures.push(`scheduled date ${v.date} not in the page`);
    if (!text.includes(plan.screening.decision)) failures.push(`screening decision '${plan.screening.decision}' not in the page`);
    if (plan.areas.length && !(await page.$("section#areas"))) failures.push("section #areas missing");
    if (plan.refused && !/No plan: screening refused the treatment/.test(text)) failures.push("a refused plan does not say so");
    for (const id of ["screening", "schedule", "aftercare", "alternatives", "parameters", "evidence", "config", "provenance"]) {
      if (!(await page.$(`section#${id}`))) failures.push(`section #${id} missing`);
    }
    if (!/schema = /.test(await page.$eval("section#config", (e) => e.innerText))) failures.push("effective configuration not shown");

    // The check itself must fail on a doctored file.
    const doctored = JSON.parse(JSON.stringify(plan));
    const doctoredKey = plan.areas.length ? "areas.0.expected.improvement_pct.median" : "evaluations";
    if (plan.areas.length) doctored.areas[0].expected.improvement_pct.median += 1;
    else doctored.evaluations += 1;
    const caught = checkNumbers(tags, { ...files, "plan.json": doctored });
    if (!caught.some((f) => f.includes(doctoredKey))) failures.push("the number check missed a doctored value");

    fs.mkdirSync(path.dirname(a.screenshot), { recursive: true });
    await page.screenshot({ path: a.screenshot, fullPage: true });
    if (a.picture) {
      fs.mkdirSync(path.dirname(a.picture), { recursive: true });
      await page.screenshot({ path: a.picture, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 1500 } });
      console.log(`picture: ${path.resolve(a.picture)}`);
    }
    console.log(`plan.html: ${htmlPath}`);
    console.log(`screenshot: ${path.resolve(a.screenshot)}`);
    console.log(`browser: Chromium ${browser.version()}; ${charts.length} charts (painted ${charts.map((c) => (100 * c.painted / c.total).toFixed(1) + "%").join(", ")}); ` +
                `${tags.length} tagged numbers checked (${shown.size} plan.json keys of ${required.length} required)`);
  } finally {
    await browser.close();
  }
  if (failures.length) {
    console.log(`FAILED (${failures.length}):\n  ${failures.join("\n  ")}`);
    process.exit(1);
  }
  console.log("plan.html: OK");
}

main().catch((e) => { console.error(e); process.exit(1); });
