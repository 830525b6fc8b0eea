// The HTML report of `sipas report` in headless Chromium, with the network
// cut off: the real executable analyses the fixture survey
// (tests/reports/fixtures: answers raked to margins, a PAR index result and
// fieldwork progress), writes the report in Vietnamese and in English, and
// the page must show the numbers of those files (headline, units in order,
// PAR groups, methods), draw every chart at a nonzero size, fit a laptop and
// a phone without sideways scrolling, parse as XML, and ask for nothing
// outside itself. Full-page screenshots go to the output directory.
//
//   cd tests/browser && npm ci && node report_render.mjs --sipas BUILD/cli/sipas [--out DIR]
//
// Options: --sipas FILE (default $SIPAS_EXECUTABLE), --out DIR (default a
// fresh directory under /tmp), --source DIR (the source tree; default ../..).
// Exit status 0 when every check passes.

import { execFileSync } from "node:child_process";
import { mkdtemp, mkdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import {
  DESKTOP,
  PHONE,
  assert,
  assertEqual,
  createRunner,
  horizontalOverflow,
  launchChromium,
  openPage,
} from "./lib/form_page.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function run(sipas, args) {
  execFileSync(sipas, args, { stdio: ["ignore", "ignore", "inherit"] });
}

// Vietnamese and English fixed decimals, as the report prints them.
const fixed = (x, decimals, lang) => {
  const s = x.toFixed(decimals);
  return lang === "vi" ? s.replace(".", ",") : s;
};

// What a chart's rows say: their label lines joined, and their printed value
// (SVG text has textContent, not innerText).
const chartRows = (page, chart) =>
  page.locator(`${chart} g.row`).evaluateAll((rows) =>
    rows.map((g) => ({
      key: g.dataset.key ?? g.dataset.label,
      label: [...g.querySelectorAll("text.label")].map((t) => t.textContent).join(" "),
      value: g.querySelector("text.value")?.textContent ?? "",
    })),
  );

const estimateOf = (results, statistic, variable, unit) =>
  results.estimates.find(
    (e) =>
      e.statistic === statistic &&
      e.variable === variable &&
      (unit === null ? e.domain === null : e.domain !== null && e.domain.district === unit),
  );

async function main() {
  const sipas = option("sipas", process.env.SIPAS_EXECUTABLE);
  assert(sipas, "give --sipas PATH (or SIPAS_EXECUTABLE)");
  const source = option("source", path.join(here, "..", ".."));
  const fixtures = path.join(source, "tests", "reports", "fixtures");
  const questionnaire = path.join(source, "questionnaires", "forms", "sipas-short.json");
  const out = option("out", null) || (await mkdtemp(path.join(tmpdir(), "sipas-report-")));
  await mkdir(out, { recursive: true });

  // The inputs, made by the real executable.
  const resultsPath = path.join(out, "results.json");
  run(sipas, [
    "analyze", "--data", path.join(fixtures, "answers.csv"), "--strata", "district",
    "--psu", "commune", "--weights", "weight", "--calibrate", path.join(fixtures, "margins.csv"),
    "--calfun", "raking", "--index", questionnaire, "--by", "district", "--out", resultsPath,
  ]);
  const reports = {};
  for (const lang of ["vi", "en"]) {
    reports[lang] = path.join(out, `report-${lang}.html`);
    run(sipas, [
      "report", "--results", resultsPath, "--questionnaire", questionnaire,
      "--par-index", path.join(fixtures, "par-index.json"),
      "--rates", path.join(fixtures, "progress.json"), "--lang", lang, "--out", reports[lang],
    ]);
  }
  const results = JSON.parse(await readFile(resultsPath, "utf8"));
  const par = JSON.parse(await readFile(path.join(fixtures, "par-index.json"), "utf8"));
  const overall = estimateOf(results, "overall_index", "overall", null);
  const districts = [...new Set(results.estimates.filter((e) => e.domain).map((e) => e.domain.district))];
  const nameOf = (unit) => par.units.find((u) => u.unit === unit)?.name ?? unit;
  const ranked = districts
    .map((d) => ({ unit: d, value: estimateOf(results, "overall_index", "overall", d).estimate }))
    .sort((a, b) => b.value - a.value);
  const elements = [...new Set(results.estimates.filter((e) => e.statistic === "element_index").map((e) => e.variable))];

  const runner = createRunner();
  const browser = await launchChromium({ viewport: DESKTOP });
  // Nothing but the file itself may be fetched: every other request is
  // recorded and aborted, and the browser is offline besides.
  const attempted = [];
  browser.context.on("request", (request) => {
    if (!request.url().startsWith("file:")) attempted.push(request.url());
  });
  await browser.context.route(
    (url) => url.protocol !== "file:",
    (route) => {
      attempted.push(route.request().url());
      return route.abort();
    },
  );
  await browser.context.setOffline(true);

  try {
    const page = await openPage(browser.context, pathToFileURL(reports.vi).href);

    await runner.check("the Vietnamese report opens with no error and no request outside the file", async () => {
      assertEqual(await page.getAttribute("html", "lang"), "vi", "html lang");
      assertEqual(page.sipasErrors, [], "page errors");
      assertEqual(attempted, [], "requests outside the file");
      assertEqual(await page.locator("script, link, img, iframe").count(), 0, "external elements");
    });

    await runner.check("the page is well-formed XML", async () => {
      const source = await readFile(reports.vi, "utf8");
      const problem = await page.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, "application/xml");
        const error = doc.querySelector("parsererror");
        return error ? error.textContent : "";
      }, source);
      assertEqual(problem, "", "XML parser error");
    });

    await runner.check("the headline shows the overall index of results.json with its interval", async () => {
      const card = page.locator(".kpi-main");
      assert(await card.isVisible(), "headline card visible");
      assertEqual(await card.locator(".kpi-value").innerText(), `${fixed(overall.estimate, 2, "vi")}%`, "overall index");
      assertEqual(
        await card.locator(".kpi-ci").innerText(),
        `KTC 95%: ${fixed(overall.ci_low, 2, "vi")} – ${fixed(overall.ci_high, 2, "vi")}`,
        "interval",
      );
      assertEqual(await card.locator(".kpi-n").innerText(), `${overall.n} phiếu trả lời`, "responses");
    });

    await runner.check("units are ranked in the order of their estimates, named from the PAR file", async () => {
      const rows = await chartRows(page, "#ranking-chart");
      assertEqual(rows.map((r) => r.label), ranked.map((u, i) => `${i + 1}. ${nameOf(u.unit)}`), "ranked units");
      assertEqual(rows.map((r) => r.key), ranked.map((u) => u.unit), "their codes");
      assertEqual(rows.map((r) => r.value), ranked.map((u) => fixed(u.value, 1, "vi")), "printed values");
    });

    await runner.check("every chart is drawn: one SVG per chart, each with a nonzero size", async () => {
      // Elements, ranking, one profile per district, response rates, and one
      // answer chart per element.
      const expected = 1 + 1 + districts.length + 1 + elements.length;
      const boxes = await page.locator("svg").evaluateAll((svgs) =>
        svgs.map((s) => {
          const b = s.getBoundingClientRect();
          return { width: b.width, height: b.height, label: s.getAttribute("aria-label"), role: s.getAttribute("role") };
        }),
      );
      assertEqual(boxes.length, expected, "number of charts");
      for (const b of boxes) {
        assert(b.width > 0 && b.height > 0, `chart "${b.label}" is ${b.width}x${b.height}`);
        assert(b.role === "img" && b.label, `chart without role or label: ${JSON.stringify(b)}`);
      }
      assertEqual(await page.locator("#profiles figure.profile").count(), districts.length, "profiles");
    });

    await runner.check("whiskers are drawn where the intervals are", async () => {
      const rows = await page.locator("#ranking-chart g.row").evaluateAll((gs) =>
        gs.map((g) => {
          const plot = g.closest("g.plot");
          const svg = g.ownerSVGElement.getBoundingClientRect();
          const line = g.querySelector("line.whisker").getBoundingClientRect();
          return {
            key: g.dataset.key,
            left: line.left - svg.left,
            right: line.right - svg.left,
            width: svg.width,
            min: Number(plot.dataset.axisMin),
            max: Number(plot.dataset.axisMax),
            from: Number(plot.dataset.xFrom),
            to: Number(plot.dataset.xTo),
          };
        }),
      );
      for (const r of rows) {
        const e = estimateOf(results, "overall_index", "overall", r.key);
        const x = (v) => ((r.from + ((v - r.min) / (r.max - r.min)) * (r.to - r.from)) / 100) * r.width;
        assert(Math.abs(r.left - x(e.ci_low)) < 1.5, `${r.key}: whisker starts at ${r.left}px, not ${x(e.ci_low)}px`);
        assert(Math.abs(r.right - x(e.ci_high)) < 1.5, `${r.key}: whisker ends at ${r.right}px, not ${x(e.ci_high)}px`);
      }
    });

    await runner.check("the PAR table lists the units by rank with their groups", async () => {
      const rows = page.locator("table.par-table tbody tr");
      const byRank = [...par.units].sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9));
      assertEqual(await rows.count(), byRank.length, "PAR rows");
      for (let i = 0; i < byRank.length; i++) {
        const cells = await rows.nth(i).locator("th, td").allInnerTexts();
        assertEqual(cells[1], byRank[i].name, `row ${i + 1} unit`);
        assertEqual(cells[2], fixed(byRank[i].index, par.precision, "vi"), `row ${i + 1} index`);
        assertEqual(cells[3], byRank[i].group ?? "–", `row ${i + 1} group`);
      }
      const rescaled = par.units.find((u) => u.rescaled);
      const flagged = await page.locator("table.par-table tbody tr", { hasText: rescaled.name }).locator(".flag").allInnerTexts();
      assert(flagged.some((f) => f.includes("quy đổi")), `the rescaled unit is flagged: ${flagged}`);
    });

    await runner.check("response rates by stratum from the progress file", async () => {
      const progress = JSON.parse(await readFile(path.join(fixtures, "progress.json"), "utf8"));
      const rows = await chartRows(page, "#rates-chart");
      assertEqual(rows.map((r) => r.label), progress.strata.map((s) => s.stratum), "strata");
      for (const s of progress.strata) {
        const row = rows.find((r) => r.label === s.stratum);
        assertEqual(row.value, `${fixed(s.response_rate * 100, 1, "vi")}% (${s.responded}/${s.invited})`, s.stratum);
      }
    });

    await runner.check("the methods section states the design, calibration, variance and sizes", async () => {
      const text = await page.locator("#methods").innerText();
      for (const needle of [
        "Phân tầng theo", "district", "commune", "weight", "lặp tỷ lệ theo biên (raking)",
        `Số vòng lặp\n${results.design.calibration.iterations}`, "margins.csv",
        "tuyến tính hóa Taylor", `Bậc tự do\n${results.design.df}`,
        `Số phiếu trong dữ liệu\n${results.design.rows}`, "mức tin cậy 95%",
        results.design.inputs.data.sha256,
      ]) {
        assert(text.includes(needle), `methods lack "${needle}"`);
      }
    });

    await runner.check("system fonts only", async () => {
      const family = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
      assert(family.startsWith("system-ui"), `body font ${family}`);
      const fonts = await page.evaluate(() => document.fonts.size);
      assertEqual(fonts, 0, "web fonts");
    });

    await runner.check("nothing overflows a laptop's width; full-page screenshot", async () => {
      const overflow = await horizontalOverflow(page);
      assert(overflow.scrollWidth <= overflow.viewport, `page is ${overflow.scrollWidth}px wide`);
      const file = path.join(out, "report.png");
      await page.screenshot({ path: file, fullPage: true });
      console.log(`      screenshot ${file}`);
    });

    await runner.check("on a phone the page does not scroll sideways and charts fit; screenshot", async () => {
      await page.setViewportSize(PHONE);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert(width <= PHONE.width, `page is ${width}px wide at ${PHONE.width}px`);
      const wide = await page.locator("svg").evaluateAll((svgs) =>
        svgs.filter((s) => s.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5).length,
      );
      assertEqual(wide, 0, "charts sticking out");
      const file = path.join(out, "report-390.png");
      await page.screenshot({ path: file, fullPage: true });
      console.log(`      screenshot ${file}`);
    });
    await page.close();

    const en = await openPage(browser.context, pathToFileURL(reports.en).href);
    await runner.check("the English report: language, words and the same numbers", async () => {
      assertEqual(await en.getAttribute("html", "lang"), "en", "html lang");
      assertEqual(await en.locator(".kpi-main .kpi-value").innerText(), `${fixed(overall.estimate, 2, "en")}%`, "overall");
      const headings = await en.locator("section h2").allInnerTexts();
      for (const h of ["Headline", "Indices by element", "Units ranked", "Response rates by stratum", "Methods"]) {
        assert(headings.includes(h), `no "${h}" in ${headings}`);
      }
      assertEqual(en.sipasErrors, [], "page errors");
      await en.screenshot({ path: path.join(out, "report-en.png"), fullPage: true });
    });
    await en.close();

    await runner.check("no request left the file at any point", async () => {
      assertEqual(attempted, [], "requests outside the file");
    });
  } finally {
    await browser.close();
  }

  console.log(`\n${runner.summary()}; report and screenshots in ${out}`);
  process.exitCode = runner.failed.length === 0 ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 2;
});
