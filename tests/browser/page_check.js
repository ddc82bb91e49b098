// Shared parts of the browser tests of needlework's HTML pages (report_check.js for report.html,
// plan_check.js for plan.html): command line, Chromium launch with console / page-error /
// network capture, the chart and tagged-number checks, the section checks, the screenshot and
// the verdict. Each page's own checks (which charts, which numbers are required) stay in its
// script. Required as require("./page_check") (node resolves it beside the requiring script).
"use strict";

const fs = require("fs");
const path = require("path");

// --key value pairs of the command line. --dir DIR checks an existing results folder instead of
// running the CLI (for checking a folder by hand, e.g. one whose files were edited to see the
// check fail). Exits 1 when one of cli, scenario, out, screenshot is missing.
function args(script) {
  const out = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, "")] = argv[i + 1];
  if (out.dir) { out.out = out.dir; out.cli = out.cli || "-"; out.scenario = out.scenario || "-"; }
  for (const k of ["cli", "scenario", "out", "screenshot"]) {
    if (!out[k]) {
      console.error(`${script}: missing --${k}`);
      process.exit(1);
    }
  }
  out.root = path.resolve(out.root || process.cwd());  // require() needs an absolute path
  out.chromium = process.env.NW_CHROMIUM || "/usr/bin/chromium";
  return out;
}

// playwright-core's chromium from web/node_modules; exits 77 (skipped, said loudly) when the
// Chromium binary is not installed.
function chromiumOrSkip(a, pageName) {
  if (!fs.existsSync(a.chromium)) {
    const bar = "!".repeat(78);
    console.log(`${bar}\n!! SKIPPED: the browser test did NOT run: ${a.chromium} is not installed.\n` +
                `!! ${pageName} was not checked in a browser. Install it with tools/setup.sh (Debian package\n` +
                `!! 'chromium') or point NW_CHROMIUM at a Chromium binary.\n${bar}`);
    process.exit(77);
  }
  return require(path.join(a.root, "web", "node_modules", "playwright-core")).chromium;
}

// Opens the page file `htmlPath` in headless Chromium and runs `body(page, browser)`. Console
// errors and warnings, page errors and any network request (the page must be self-contained;
// requests are blocked) are pushed to `failures`. The browser is closed afterwards.
async function withPage(chromium, a, htmlPath, viewport, failures, body) {
  const browser = await chromium.launch({ executablePath: a.chromium, headless: true });
  try {
    const page = await browser.newPage({ viewport });
    page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") failures.push(`console ${m.type()}: ${m.text()}`); });
    page.on("pageerror", (e) => failures.push(`page error: ${e.message}`));
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url === `file://${htmlPath}`) return route.continue();
      failures.push(`network request (the page must be self-contained): ${url}`);
      return route.abort();
    });
    await page.goto(`file://${htmlPath}`, { waitUntil: "load" });
    await body(page, browser);
  } finally {
    await browser.close();
  }
}

// Every canvas of the page: its Chart.js instance, its data points per dataset ([x, y] for a
// point object, the value itself otherwise) and how many of its pixels are painted.
async function charts(page) {
  return page.evaluate(() => Array.from(document.querySelectorAll("canvas")).map((c) => {
    const chart = window.Chart && window.Chart.getChart(c);
    const ctx = c.getContext("2d");
    const pixels = ctx.getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
    const data = chart ? chart.data.datasets.map((d) => d.data.map((p) => (p !== null && typeof p === "object" ? [p.x, p.y] : p))) : [];
    return { id: c.id, hasChart: !!chart, total: c.width * c.height, painted, data,
             points: data.reduce((n, d) => n + d.length, 0) };
  }));
}

// The charts `expected` (element ids) are all there, the page script drew every canvas, and
// each one has a Chart.js instance, data and at least 1 % of its pixels painted.
async function checkCharts(page, found, expected, failures) {
  const drawn = await page.evaluate(() => document.body.dataset.chartsDrawn);
  const ids = new Set(found.map((c) => c.id));
  const absent = expected.filter((id) => !ids.has(id));
  if (absent.length) failures.push(`charts missing: ${absent.join(", ")} (page has ${[...ids].join(", ")})`);
  if (String(found.length) !== drawn) failures.push(`page script drew ${drawn} charts of ${found.length} canvases`);
  for (const c of found) {
    const share = c.total ? c.painted / c.total : 0;
    if (!c.hasChart || c.points === 0 || share < 0.01) {
      failures.push(`chart ${c.id} not rendered (Chart.js instance ${c.hasChart}, ${c.points} points, ${(100 * share).toFixed(2)}% pixels painted)`);
    }
  }
}

// "12.3%, 45.6%": the painted share of each chart, for the summary line.
function paintedShares(found) {
  return found.map((c) => (100 * c.painted / c.total).toFixed(1) + "%").join(", ");
}

// The tagged numbers of the page (elements with data-key, written by report::tagged_number).
async function tags(page) {
  return page.evaluate(() => Array.from(document.querySelectorAll("[data-key]")).map((e) => ({
    file: e.dataset.file, key: e.dataset.key, value: e.dataset.value, scale: e.dataset.scale, text: e.textContent.trim() })));
}

// The value at a dotted path ("areas.0.expected.median") of a parsed JSON file.
function lookup(obj, key) {
  let node = obj;
  for (const part of key.split(".")) {
    if (node === null || node === undefined) return undefined;
    node = node[part];
  }
  return node;
}

// Numeric leaves under `obj` as dotted paths, appended to `out`.
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

// Compares every tagged number of the page with the result files; returns the failures. `files`
// maps a JSON file name ("plan.json") to its parsed content: data-value must equal the file's
// value and the shown text must equal it to the digits shown (after data-scale). `otherFiles`
// maps any other file name to a check of one tag returning a failure text or null.
function checkNumbers(tagList, files, otherFiles = {}) {
  const failures = [];
  for (const t of tagList) {
    const where = `${t.file}:${t.key}`;
    if (otherFiles[t.file]) {
      const failure = otherFiles[t.file](t);
      if (failure) failures.push(`${where}: ${failure}`);
      continue;
    }
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

// The page text says needlework is not a medical device, and every section id is there.
async function checkDisclaimerAndSections(page, text, sectionIds, failures) {
  if (!/not a medical device/.test(text)) failures.push("the page does not say needlework is not a medical device");
  for (const id of sectionIds) {
    if (!(await page.$(`section#${id}`))) failures.push(`section #${id} missing`);
  }
}

// A full-page screenshot at `file` (a test artifact; the directory is created).
async function screenshot(page, file, options = {}) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true, ...options });
}

// Prints the failures and exits 1, or prints `okLine`.
function finish(failures, okLine) {
  if (failures.length) {
    console.log(`FAILED (${failures.length}):\n  ${failures.join("\n  ")}`);
    process.exit(1);
  }
  console.log(okLine);
}

// Runs `main` and exits 1 on any exception it throws.
function run(main) {
  main().catch((e) => { console.error(e); process.exit(1); });
}

module.exports = {
  args, chromiumOrSkip, withPage, charts, checkCharts, paintedShares, tags, lookup, numericLeaves, halfUlp,
  checkNumbers, checkDisclaimerAndSections, screenshot, finish, run,
};
