// The report that `sipas demo` writes, in headless Chromium with the network
// cut off: the real executable runs the whole year on a small province, and
// the page must show the province's index from results-citizens.json, a PAR
// table row for every unit of units.csv with the group of par-index.json,
// and every chart at a nonzero size. A full-page screenshot goes to --out.
//
//   cd tests/browser && npm ci && node demo_report.mjs --sipas BUILD/cli/sipas [--out DIR]

import { execFileSync } from "node:child_process";
import { mkdtemp, mkdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { DESKTOP, assert, assertEqual, createRunner, launchChromium, openPage } from "./lib/form_page.mjs";

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main() {
  const sipas = option("sipas", process.env.SIPAS_EXECUTABLE);
  assert(sipas, "give --sipas FILE");
  const out = option("out", await mkdtemp(path.join(tmpdir(), "sipas-demo-report-")));
  await mkdir(out, { recursive: true });
  const demo = path.join(out, "demo");
  execFileSync(sipas, ["demo", "--out", demo, "--citizens", "8000", "--districts", "4", "--seed", "5"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const results = JSON.parse(await readFile(path.join(demo, "results-citizens.json"), "utf8"));
  const overall = results.estimates.find((e) => e.statistic === "overall_index" && e.domain === null);
  const par = JSON.parse(await readFile(path.join(demo, "par-index.json"), "utf8"));
  const units = (await readFile(path.join(demo, "units.csv"), "utf8")).trim().split("\n").slice(1);

  const runner = createRunner();
  const browser = await launchChromium({ viewport: DESKTOP });
  const attempted = [];
  await browser.context.route(
    (url) => url.protocol !== "file:",
    (route) => {
      attempted.push(route.request().url());
      return route.abort();
    },
  );
  await browser.context.setOffline(true);
  try {
    const page = await openPage(browser.context, pathToFileURL(path.join(demo, "report.html")).href);
    await runner.check("the demo's report shows the province's index with a comma decimal", async () => {
      const shown = await page.locator(".kpi-main .kpi-value").innerText();
      assertEqual(shown, `${overall.estimate.toFixed(2).replace(".", ",")}%`, "overall index");
    });
    await runner.check("the PAR table has every unit with its group", async () => {
      const text = await page.locator("section#par-index").innerText();
      for (const line of units) {
        const name = line.split(",")[1];
        assert(text.includes(name), `no ${name} in the PAR table`);
      }
      const groups = par.units.filter((u) => u.group).map((u) => u.group);
      for (const g of new Set(groups)) assert(text.includes(g), `no group ${g}`);
    });
    await runner.check("every chart has a nonzero size", async () => {
      const sizes = await page.locator("svg").evaluateAll((svgs) =>
        svgs.map((s) => s.getBoundingClientRect()).map((r) => [r.width, r.height]),
      );
      assert(sizes.length >= 5, `only ${sizes.length} charts`);
      for (const [w, h] of sizes) assert(w > 0 && h > 0, `a chart of ${w} × ${h}`);
    });
    await runner.check("nothing was fetched and nothing failed", async () => {
      assertEqual(attempted, [], "requests outside the file");
      assertEqual(page.sipasErrors, [], "page errors");
    });
    await page.screenshot({ path: path.join(out, "demo-report.png"), fullPage: true });
  } finally {
    await browser.close();
  }
  console.log(`\n${runner.summary()}; screenshot ${path.join(out, "demo-report.png")}`);
  process.exitCode = runner.failed.length === 0 ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 2;
});
