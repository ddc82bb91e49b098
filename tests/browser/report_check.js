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
// The checks shared with the other page (Chromium, charts, tagged numbers) are in page_check.js.
"use strict";

const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");
const check = require("./page_check");

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

// A tag of parameters.csv ("file:parameter"): its value and shown text are the row's value, as
// written. Returns a failure text or null.
function checkParameter(parameters, t) {
  const sep = t.key.indexOf(":");
  const row = parameters.find((r) => r.file === t.key.slice(0, sep) && r.parameter === t.key.slice(sep + 1));
  if (!row) return "not in parameters.csv";
  if (row.value !== t.value || t.text !== row.value) return `page ${t.text} (${t.value}), file ${row.value}`;
  return null;
}

async function main() {
  const a = check.args("report_check.js");
  const chromium = check.chromiumOrSkip(a, "report.html");

  if (!a.dir) {
    fs.rmSync(a.out, { recursive: true, force: true });
    execFileSync(a.cli, ["simulate", a.scenario, "-o", a.out], { cwd: a.root, stdio: ["ignore", "ignore", "inherit"] });
  }
  const reportPath = path.resolve(a.out, "report.html");
  const files = {
    "summary.json": JSON.parse(fs.readFileSync(path.join(a.out, "summary.json"), "utf8")),
    "provenance.json": JSON.parse(fs.readFileSync(path.join(a.out, "provenance.json"), "utf8")),
  };
  const parameters = parseCsv(fs.readFileSync(path.join(a.out, "parameters.csv"), "utf8"));
  const otherFiles = { "parameters.csv": (t) => checkParameter(parameters, t) };
  const summary = files["summary.json"];

  const failures = [];
  await check.withPage(chromium, a, reportPath, { width: 1280, height: 900 }, failures, async (page, browser) => {
    // Charts: one Chart.js instance per canvas, with data, and painted pixels.
    const charts = await check.charts(page);
    // The charts the result files call for: uptake and layers per area of transport.csv, a depth
    // histogram per area, an outcome timeline per outcome with a timeline_csv.
    const expected = [];
    if (summary.transport && fs.existsSync(path.join(a.out, "transport.csv"))) {
      const areas = new Set(parseCsv(fs.readFileSync(path.join(a.out, "transport.csv"), "utf8")).map((r) => r.area));
      for (const area of areas) expected.push(`uptake-${area}`, `layers-${area}`);
    }
    summary.channels.by_area.forEach((_, i) => expected.push(`depth-${i}`));
    (Array.isArray(summary.outcomes) ? summary.outcomes : []).forEach((o, i) => { if (o.timeline_csv) expected.push(`outcome-${i}`); });
    await check.checkCharts(page, charts, expected, failures);

    // Numbers.
    const tags = await check.tags(page);
    failures.push(...check.checkNumbers(tags, files, otherFiles));
    const shown = new Set(tags.filter((t) => t.file === "summary.json").map((t) => t.key));
    const required = ["channels.per_cm2_per_session", "channels.depth_um.mean", "channels.bleeding_fraction",
                      "channels.closure_half_life_h", "seed"];
    if (summary.barrier) required.push("barrier.tewl_recovery_h");
    if (summary.transport) required.push("transport.delivered_ug_per_cm2", "transport.fraction_of_dose", "transport.enhancement_vs_intact");
    for (const section of ["device", "tissue", "outcomes", "safety"]) check.numericLeaves(summary[section], section, required);
    summary.channels.by_area.forEach((_, i) => check.numericLeaves(summary.channels.by_area[i], `channels.by_area.${i}`, required));
    const missing = required.filter((k) => !shown.has(k) && typeof check.lookup(summary, k) === "number");
    if (missing.length) failures.push(`numbers of summary.json not in the page: ${missing.join(", ")}`);
    const paramTags = tags.filter((t) => t.file === "parameters.csv").length;
    const numericParams = parameters.filter((r) => r.value !== "" && !isNaN(Number(r.value))).length;
    if (paramTags !== numericParams) failures.push(`${paramTags} parameter values tagged, parameters.csv has ${numericParams} numeric rows`);

    const text = await page.evaluate(() => document.body.innerText);
    await check.checkDisclaimerAndSections(page, text, ["simulated", "numbers", "charts", "parameters", "evidence", "config",
                                                        "provenance"], failures);

    // The check itself must fail on a doctored file.
    const doctored = JSON.parse(JSON.stringify(summary));
    doctored.channels.per_cm2_per_session += 10;
    const caught = check.checkNumbers(tags, { ...files, "summary.json": doctored }, otherFiles);
    if (!caught.some((f) => f.includes("channels.per_cm2_per_session"))) failures.push("the number check missed a doctored value");

    await check.screenshot(page, a.screenshot);
    console.log(`report: ${reportPath}`);
    console.log(`screenshot: ${path.resolve(a.screenshot)}`);
    console.log(`browser: Chromium ${browser.version()}; ${charts.length} charts (painted ${check.paintedShares(charts)}); ` +
                `${tags.length} tagged numbers checked (${shown.size} summary.json keys, ${paramTags} parameters)`);
  });
  check.finish(failures, "report.html: OK");
}

check.run(main);
