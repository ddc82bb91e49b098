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
// The checks shared with the other page (Chromium, charts, tagged numbers) are in page_check.js.
"use strict";

const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");
const check = require("./page_check");

// Numbers of plan.json that are drawn rather than written: the timelines, and what the
// compared protocols repeat of the plan's scale (their at_follow_up and baseline).
const drawnOrRepeated = [
  /\.over_time\./,
  /^areas\.\d+\.compared\.\d+\.expected\.(at_follow_up|baseline|responder_fraction)/,
  /^areas\.\d+\.compared\.\d+\.topical\./,
  /^areas\.\d+\.compared\.\d+\.minutes_per_session$/,
];

async function main() {
  const a = check.args("plan_check.js");
  const chromium = check.chromiumOrSkip(a, "plan.html");

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
  await check.withPage(chromium, a, htmlPath, { width: 1280, height: 1000 }, failures, async (page, browser) => {
    // Charts.
    const charts = await check.charts(page);
    const expected = [];
    plan.areas.forEach((area, i) => {
      expected.push(`expected-${i}`);
      if (area.compared.length) expected.push(`protocols-${i}`);
    });
    await check.checkCharts(page, charts, expected, failures);
    // The expected-course chart draws plan.json's timeline: median, p05, p95 per day.
    plan.areas.forEach((area, i) => {
      const c = charts.find((x) => x.id === `expected-${i}`);
      if (!c) return;
      const want = ["median", "p05", "p95"].map((k) => area.expected.over_time.map((p) => [p.day, p[k]]));
      if (JSON.stringify(c.data) !== JSON.stringify(want)) failures.push(`chart expected-${i} does not draw areas.${i}.expected.over_time`);
      if (!area.expected.over_time.length) failures.push(`areas.${i}.expected.over_time is empty`);
    });

    // Numbers.
    const tags = await check.tags(page);
    failures.push(...check.checkNumbers(tags, files));
    const shown = new Set(tags.filter((t) => t.file === "plan.json").map((t) => t.key));
    const required = check.numericLeaves(plan, "", []).filter((k) => !drawnOrRepeated.some((r) => r.test(k)));
    const missing = required.filter((k) => !shown.has(k));
    if (missing.length) failures.push(`numbers of plan.json not in the page: ${missing.join(", ")}`);

    const text = await page.evaluate(() => document.body.innerText);
    for (const v of plan.schedule) if (!text.includes(v.date)) failures.push(`scheduled date ${v.date} not in the page`);
    if (!text.includes(plan.screening.decision)) failures.push(`screening decision '${plan.screening.decision}' not in the page`);
    if (plan.areas.length && !(await page.$("section#areas"))) failures.push("section #areas missing");
    if (plan.refused && !/No plan: screening refused the treatment/.test(text)) failures.push("a refused plan does not say so");
    await check.checkDisclaimerAndSections(page, text, ["screening", "schedule", "aftercare", "alternatives", "parameters",
                                                        "evidence", "config", "provenance"], failures);
    if (!/schema = /.test(await page.$eval("section#config", (e) => e.innerText))) failures.push("effective configuration not shown");

    // The check itself must fail on a doctored file.
    const doctored = JSON.parse(JSON.stringify(plan));
    const doctoredKey = plan.areas.length ? "areas.0.expected.improvement_pct.median" : "evaluations";
    if (plan.areas.length) doctored.areas[0].expected.improvement_pct.median += 1;
    else doctored.evaluations += 1;
    const caught = check.checkNumbers(tags, { ...files, "plan.json": doctored });
    if (!caught.some((f) => f.includes(doctoredKey))) failures.push("the number check missed a doctored value");

    await check.screenshot(page, a.screenshot);
    if (a.picture) {
      await check.screenshot(page, a.picture, { clip: { x: 0, y: 0, width: 1280, height: 1500 } });
      console.log(`picture: ${path.resolve(a.picture)}`);
    }
    console.log(`plan.html: ${htmlPath}`);
    console.log(`screenshot: ${path.resolve(a.screenshot)}`);
    console.log(`browser: Chromium ${browser.version()}; ${charts.length} charts (painted ${check.paintedShares(charts)}); ` +
                `${tags.length} tagged numbers checked (${shown.size} plan.json keys of ${required.length} required)`);
  });
  check.finish(failures, "plan.html: OK");
}

check.run(main);
