// The survey form a page at a time, end to end against the real server
// (`sipas serve`), in headless Chromium at a phone's width (390 px) and at
// 1280 px, one invitation each:
//
//   - the SIPAS citizen form is answered page by page (6 pages: A, B1, C, B2
//     q9_01-q9_14, B2 q9_15-q9_33, B2 q10/q11/q_overall), with the progress
//     line "Trang k/6" and the <progress> checked on each page;
//   - on page 2, next with q3 unanswered: 422, the error summary with links
//     to the items, the item marked has-error, and nothing about later pages;
//   - back from page 5 shows page 4 with its answers still checked, and the
//     answer given on page 5 before going back is kept too;
//   - the person leaves (about:blank) and opens the invitation link again
//     without page=: it lands on page 5, the first page not yet complete;
//   - q9_01 is answered "Không ý kiến" (code 9) on the phone and 4 on the
//     desktop; after submit (303 -> the thank-you page: the survey's title,
//     lang="vi") the admin API's export holds 9 and 4, and `sipas analyze
//     --index` on the CSV export counts one answer for q9_01 (and P1) where
//     q9_02 has two: the don't-know answer is left out of the index;
//   - on every page shown (each form page, the error state, the thank-you
//     page): axe-core (wcag2a, wcag2aa, wcag21a, wcag21aa) finds nothing
//     serious or critical, the HTML is under 30,000 bytes, nothing sticks out
//     sideways, no script error; at 390 px every Likert answer (.scale > label)
//     is at least 44 x 44 px; a full-page screenshot of each
//     (phone-page-1.png ... desktop-thanks.png);
//   - with JavaScript off (a third invitation): page 1 -> next -> page 2;
//   - the English progress line ("Page 2 of 6" with lang=en).
//
//   cd tests/browser && npm ci && node form_pages.mjs --sipas BUILD/cli/sipas [--out DIR]
//
// Options: --sipas FILE (default $SIPAS_EXECUTABLE), --out DIR (screenshots,
// the CSV export, the database and the server's log; default a fresh directory
// under /tmp). Exit status 0 when every check passes, 1 when one fails, 2 when
// the test could not run (no server, no browser).

import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

import {
  CHROMIUM,
  CHROMIUM_ARGS,
  DESKTOP,
  PHONE,
  assert,
  assertEqual,
  choose,
  createRunner,
  horizontalOverflow,
  launchChromium,
} from "./lib/form_page.mjs";
import { api, option, parseCsv, prepareServerFolder, startServer } from "./lib/live_server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const source = path.resolve(here, "../..");
const CITIZEN_FORM = path.join(source, "questionnaires/forms/sipas-citizen.json");
const AXE_SOURCE = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const MAX_HTML_BYTES = 30000;
const MIN_TARGET = 44;
const PAGES = 6;

const MANAGER_KEY = "pages-test-manager-key-0123456789abcdef";
const ANALYST_KEY = "pages-test-analyst-key-0123456789abcdef";

// One invitation per walk: p1 the phone, p2 the desktop, p3 without JavaScript.
const SAMPLE =
  "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank,sex,phone\n" +
  "p1,A,A1,0.1,10,main,,1,0901000001\n" +
  "p2,A,A2,0.1,10,main,,2,0901000002\n" +
  "p3,B,B1,0.25,4,main,,1,0901000003\n";

// ------------------------------------------------------------------ the form

async function checkedValue(page, name) {
  return page.evaluate(
    (n) => {
      const e = document.querySelector(`input[name="${n}"]:checked`);
      return e ? e.value : null;
    },
    name,
  );
}

// Answers what the page asks and is not answered yet, but for `leave`: the
// first answer of every shown radio group (tapping its label; `choices` may
// name another value) and "x" in every shown, empty text box of a required
// item (its .required-mark). Repeats while answers reveal more questions.
async function answerPage(page, { leave = [], choices = {} } = {}) {
  for (let round = 0; round < 5; round++) {
    const todo = await page.evaluate((skip) => {
      const form = document.getElementById("sipas-form");
      const groups = new Map(), texts = [];
      for (const e of form.elements) {
        if (!e.name || e.name.startsWith("_") || skip.includes(e.name) || e.disabled) continue;
        const item = e.closest("[data-item]");
        if (!item || !item.checkVisibility()) continue;
        if (e.type === "radio") {
          if (!groups.has(e.name)) groups.set(e.name, { value: e.value, answered: false });
          if (e.checked) groups.get(e.name).answered = true;
        } else if ((e.type === "text" || e.tagName === "TEXTAREA") && e.value === "") {
          const owner = document.getElementById(`item-${e.name}`) || item;
          if (owner.querySelector(".required-mark")) texts.push(e.name);
        }
      }
      return {
        radios: [...groups].filter(([, g]) => !g.answered).map(([name, g]) => [name, g.value]),
        texts,
      };
    }, leave);
    if (todo.radios.length === 0 && todo.texts.length === 0) return;
    for (const [name, value] of todo.radios) await choose(page, name, choices[name] ?? value);
    for (const name of todo.texts) await page.locator(`[name="${name}"]`).fill("x");
  }
}

// Presses the button `value` (next, back, save, submit); returns the response
// to the POST itself (a 303 is not followed by it) and the final response.
async function press(page, value) {
  const post = page.waitForResponse((r) => r.request().method() === "POST");
  const navigation = page.waitForNavigation({ waitUntil: "load" });
  await page.locator(`button[name="_action"][value="${value}"]`).click();
  const [first, last] = await Promise.all([post, navigation]);
  return { post: first, final: last };
}

async function progress(page) {
  return page.evaluate(() => {
    const p = document.getElementById("sipas-progress");
    const bar = document.querySelector("progress");
    const field = document.querySelector('input[name="_page"]');
    return {
      text: p ? p.textContent.trim() : null,
      value: bar ? Number(bar.getAttribute("data-page")) : null,
      live: bar ? bar.value : null,
      max: bar ? Number(bar.getAttribute("max")) : null,
      field: field ? field.value : null,
    };
  });
}

async function expectPage(page, k) {
  const { live, ...p } = await progress(page);
  assertEqual(p, { text: `Trang ${k}/${PAGES}`, value: k, max: PAGES, field: String(k) }, "progress");
  // The script fills the bar as the page's required questions are answered.
  assert(live >= k - 1 && live <= k, `the bar's live value ${live} is not within page ${k}`);
}

async function buttons(page) {
  return page.locator('button[name="_action"]').evaluateAll((bs) => bs.map((b) => b.value));
}

// Uncaught errors and console errors, but for Chromium's "Failed to load
// resource" lines (the 422 page is meant; Chromium's own /favicon.ico).
function scriptErrors(page) {
  return page.sipasErrors.filter((e) => !e.startsWith("Failed to load resource"));
}

// axe-core in the page (evaluated through the DevTools protocol, so the
// server's Content-Security-Policy does not stop it).
async function axeViolations(page) {
  const loaded = await page.evaluate(() => typeof window.axe !== "undefined");
  if (!loaded) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.map((n) => n.target.join(" ")),
    }));
  }, AXE_TAGS);
}

// Every shown Likert answer's box (.scale > label).
async function likertTargets(page) {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll(".scale > label"))
      .filter((l) => l.checkVisibility())
      .map((l) => {
        const b = l.getBoundingClientRect();
        const input = l.querySelector("input");
        return { name: `${input.name}=${input.value}`, width: b.width, height: b.height };
      }),
  );
}

// ------------------------------------------------------------------ main

async function main() {
  const sipas = option("sipas", process.env.SIPAS_EXECUTABLE);
  if (!sipas) throw new Error("give the sipas executable: --sipas FILE or SIPAS_EXECUTABLE");
  const { out, work } = await prepareServerFolder(sipas, "form_pages", { manager: MANAGER_KEY, analyst: ANALYST_KEY });
  const title = JSON.parse(await readFile(CITIZEN_FORM, "utf8")).title.vi;

  const server = startServer(sipas, work);
  let base;
  try {
    base = await server.ready;
  } catch (error) {
    server.child.kill("SIGKILL");
    throw error;
  }
  console.log(`server at ${base}, files in ${work}`);
  const run = createRunner();
  const report = []; // [view, sizes, axe notes, smallest target]
  let links = [];
  const browsers = [];

  try {
    await run.check("admin API: open the survey and import three invitations", async () => {
      let r = await api(base, "POST", "/api/v1/surveys/demo/open", { key: MANAGER_KEY });
      assertEqual(r.status, 200, `open: ${r.text}`);
      const query = `contact=phone&base_url=${encodeURIComponent(base)}`;
      r = await api(base, "POST", `/api/v1/surveys/demo/invitations?${query}`, {
        key: MANAGER_KEY, body: SAMPLE, type: "text/csv",
      });
      assertEqual(r.status, 201, `invitations: ${r.text}`);
      links = parseCsv(r.text);
      assertEqual(links.map((l) => l.id), ["p1", "p2", "p3"], "links CSV ids");
      for (const l of links) assert(l.link.startsWith(`${base}/s/demo?t=`), `link ${l.link}`);
    });
    assert(links.length === 3, "no invitations; cannot go on");

    await run.check("lang=en: the progress line reads 'Page 2 of 6'", async () => {
      const r = await fetch(`${links[2].link}&page=2&lang=en`);
      assertEqual(r.status, 200, "status");
      const m = (await r.text()).match(/<p id="sipas-progress">([^<]*)<\/p>/);
      assertEqual(m && m[1], "Page 2 of 6", "progress line");
    });

    // ---------------------------------------------------------- the two walks
    const walks = [
      { name: "phone", viewport: PHONE, link: links[0].link, q9_01: "9" },
      { name: "desktop", viewport: DESKTOP, link: links[1].link, q9_01: "4" },
    ];
    for (const walk of walks) {
      const browser = await launchChromium({ viewport: walk.viewport });
      browsers.push(browser);
      const unexpected = [];
      browser.context.on("response", (r) => {
        if (r.status() >= 400 && r.status() !== 422) unexpected.push(`${r.status()} ${new URL(r.url()).pathname}`);
      });
      const sizes = {};
      const axeNotes = new Set();
      let smallest = null;
      let broken = false;
      // A step of the walk; once one fails the rest of this walk is skipped
      // (they would only fail for the same reason).
      const step = async (name, fn) => {
        if (broken) {
          console.log(`skip  ${walk.name}: ${name}`);
          return;
        }
        await run.check(`${walk.name}: ${name}`, fn);
        if (run.failed.length && run.failed[run.failed.length - 1].name === `${walk.name}: ${name}`) broken = true;
      };
      // The checks of every page shown; the screenshot first, so that it is
      // there to look at when a check fails.
      const inspect = async (page, response, label) => {
        await page.screenshot({ path: path.join(out, `${walk.name}-${label}.png`), fullPage: true });
        const problems = [];
        const bytes = (await response.body()).length;
        sizes[label] = bytes;
        if (bytes >= MAX_HTML_BYTES) problems.push(`HTML is ${bytes} bytes (limit ${MAX_HTML_BYTES})`);
        const violations = await axeViolations(page);
        for (const v of violations) axeNotes.add(`${v.id} (${v.impact})`);
        const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
        for (const v of bad) problems.push(`axe ${v.id} (${v.impact}): ${v.targets.slice(0, 5).join(" | ")}`);
        const o = await horizontalOverflow(page);
        if (o.scrollWidth > o.viewport || o.offenders.length) {
          problems.push(`${o.scrollWidth}px wide in ${o.viewport}px: ${o.offenders.slice(0, 5).join(", ")}`);
        }
        if (walk.viewport === PHONE) {
          const targets = await likertTargets(page);
          for (const t of targets) smallest = smallest === null ? t : (t.width * t.height < smallest.width * smallest.height ? t : smallest);
          const small = targets.filter((t) => t.width < MIN_TARGET - 0.01 || t.height < MIN_TARGET - 0.01);
          if (small.length) {
            problems.push(`Likert targets under ${MIN_TARGET}px: ${small.slice(0, 5).map((t) => `${t.name} ${t.width.toFixed(1)}x${t.height.toFixed(1)}`).join(", ")}`);
          }
        }
        const errors = scriptErrors(page);
        if (errors.length) problems.push(`script errors: ${errors.join("; ")}`);
        if (unexpected.length) problems.push(`failed requests: ${unexpected.join(", ")}`);
        assert(problems.length === 0, problems.join("\n"));
      };
      const next = async (page, k) => {
        const { post, final } = await press(page, "next");
        assertEqual(post.status(), 303, "POST next");
        assertEqual(final.status(), 200, "the next page");
        await expectPage(page, k);
        return final;
      };

      let page, response;
      await step("page 1 from the invitation link", async () => {
        page = await browser.context.newPage();
        page.sipasErrors = [];
        page.on("pageerror", (e) => page.sipasErrors.push(String(e)));
        page.on("console", (m) => m.type() === "error" && page.sipasErrors.push(m.text()));
        response = await page.goto(walk.link, { waitUntil: "load" });
        assertEqual(response.status(), 200, "status");
        assertEqual(await page.getAttribute("html", "lang"), "vi", "html lang");
        await expectPage(page, 1);
        assertEqual(await buttons(page), ["next", "save"], "buttons on page 1");
        await inspect(page, response, "page-1");
      });
      await step("answer page 1, next -> page 2", async () => {
        assertEqual((await progress(page)).live, 0, "the bar before anything is answered");
        await answerPage(page);
        assertEqual((await progress(page)).live, 1, "the bar once page 1 is answered");
        response = await next(page, 2);
        assertEqual((await buttons(page)).sort(), ["back", "next", "save"], "buttons on page 2");
      });
      await step("page 2 checks", async () => inspect(page, response, "page-2"));
      await step("next with q3 unanswered: 422, the summary links to it, has-error", async () => {
        await answerPage(page, { leave: ["q3"] });
        const { post, final } = await press(page, "next");
        assertEqual(post.status(), 422, "POST status");
        assertEqual(final.status(), 422, "page status");
        await expectPage(page, 2);
        const summary = page.locator("#sipas-error-summary");
        assert(await summary.isVisible(), "error summary shown");
        const hrefs = await summary.locator("a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
        assertEqual(hrefs.length, 1, `one problem on this page only; links ${JSON.stringify(hrefs)}`);
        assert(hrefs[0].startsWith("#f-q3"), `summary link ${hrefs[0]}`);
        assert(await page.locator(hrefs[0]).count() === 1, `the link's target ${hrefs[0]} exists`);
        assert(await page.locator("#item-q3").evaluate((e) => e.classList.contains("has-error")), "#item-q3.has-error");
        assertEqual(await checkedValue(page, "q4"), "1", "q4 kept on the 422 page");
        response = final;
        await inspect(page, response, "page-2-errors");
      });
      await step("answer q3, next -> page 3 (section C: q8_4 = 1)", async () => {
        await answerPage(page);
        response = await next(page, 3);
        assert(await page.locator("#section-C").count() === 1, "section C on page 3");
        await inspect(page, response, "page-3");
      });
      await step(`page 3 -> page 4; q9_01 = ${walk.q9_01}`, async () => {
        await answerPage(page);
        response = await next(page, 4);
        if (walk.q9_01 === "9") {
          const dk = page.locator('#item-q9_01 label.dk:has(input[value="9"])');
          assertEqual((await dk.textContent()).trim(), "Không ý kiến", "the don't-know label");
        }
        await choose(page, "q9_01", walk.q9_01);
        await inspect(page, response, "page-4");
      });
      await step("page 4 -> page 5, answer q9_15 = 3, back -> page 4 with its answers", async () => {
        await answerPage(page);
        response = await next(page, 5);
        await inspect(page, response, "page-5");
        await choose(page, "q9_15", "3");
        const { post, final } = await press(page, "back");
        assertEqual(post.status(), 303, "POST back");
        assertEqual(final.status(), 200, "page status");
        await expectPage(page, 4);
        assertEqual(await checkedValue(page, "q9_01"), walk.q9_01, "q9_01 still checked");
        assertEqual(await checkedValue(page, "q9_02"), "5", "q9_02 still checked");
        assertEqual(await checkedValue(page, "q9_14"), "5", "q9_14 still checked");
      });
      await step("leave, open the link again: page 5 (the first not complete), q9_15 kept", async () => {
        await page.goto("about:blank");
        response = await page.goto(walk.link, { waitUntil: "load" });
        assertEqual(response.status(), 200, "status");
        await expectPage(page, 5);
        assertEqual(await checkedValue(page, "q9_15"), "3", "q9_15 saved by back");
      });
      await step("page 5 -> page 6: submit instead of next", async () => {
        await answerPage(page);
        response = await next(page, 6);
        const b = await buttons(page);
        assert(b.includes("submit") && !b.includes("next") && b.includes("back"), `buttons ${JSON.stringify(b)}`);
        await inspect(page, response, "page-6");
      });
      await step("submit: 303 to the thank-you page, the survey's title, lang=vi", async () => {
        await answerPage(page);
        const { post, final } = await press(page, "submit");
        assertEqual(post.status(), 303, "POST submit");
        assert(/\/s\/demo\/thanks(\?|$)/.test(post.headers().location || ""), `Location ${post.headers().location}`);
        assertEqual(final.status(), 200, "thanks status");
        assertEqual(new URL(page.url()).pathname, "/s/demo/thanks", "at");
        assertEqual(await page.getAttribute("html", "lang"), "vi", "html lang");
        assert((await page.title()).includes(title) || (await page.textContent("body")).includes(title),
          `the survey's title "${title}" on the thank-you page`);
        assert(/cảm ơn/i.test(await page.textContent("body")), "the thank-you text");
        await inspect(page, final, "thanks");
      });
      report.push({ walk: walk.name, sizes, axe: [...axeNotes], smallest });
    }

    // ---------------------------------------------------------- without JavaScript
    await run.check("JavaScript off: page 1 -> next -> page 2", async () => {
      const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
      browsers.push({ close: () => browser.close() });
      const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
      const page = await context.newPage();
      const r = await page.goto(links[2].link, { waitUntil: "load" });
      assertEqual(r.status(), 200, "status");
      await expectPage(page, 1);
      // No script: a_ethnic_other is on screen (only the server knows it
      // does not apply).
      assert(await page.locator("#item-a_ethnic_other").isVisible(), "without script every item is shown");
      for (const name of ["a_sex", "a_age", "a_ethnic", "a_edu", "a_job", "a_area", "a_terrain"]) {
        await choose(page, name, "1");
      }
      await page.screenshot({ path: path.join(out, "nojs-page-1.png"), fullPage: true });
      const { post, final } = await press(page, "next");
      assertEqual(post.status(), 303, "POST next");
      assertEqual(final.status(), 200, "page 2");
      await expectPage(page, 2);
      await page.screenshot({ path: path.join(out, "nojs-page-2.png"), fullPage: true });
    });

    // ---------------------------------------------------------- the stored answers
    let csvPath = null;
    await run.check("admin API: the two responses, q9_01 stored as 9 (phone) and 4 (desktop)", async () => {
      const r = await api(base, "GET", "/api/v1/surveys/demo/responses", { key: ANALYST_KEY });
      assertEqual(r.status, 200, `export: ${r.text}`);
      const { responses } = JSON.parse(r.text);
      const got = Object.fromEntries(responses.map((row) => [row.respondent_id, row.answers]));
      assertEqual(Object.keys(got).sort(), ["p1", "p2"], "respondents");
      assertEqual(got.p1.q9_01, 9, "p1 q9_01");
      assertEqual(got.p2.q9_01, 4, "p2 q9_01");
      assertEqual([got.p1.q9_02, got.p2.q9_02, got.p1.q9_15], [5, 5, 3], "q9_02, q9_15");
      const csv = await api(base, "GET", "/api/v1/surveys/demo/responses?format=csv", { key: ANALYST_KEY });
      assertEqual(csv.status, 200, "CSV export");
      csvPath = path.join(out, "responses.csv");
      await writeFile(csvPath, csv.text);
    });

    await run.check("sipas analyze --index: the don't-know answer is left out of q9_01 and P1", async () => {
      assert(csvPath, "no CSV export");
      const text = execFileSync(
        sipas,
        ["analyze", "--data", csvPath, "--weights", "design_weight", "--index", CITIZEN_FORM],
        { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 26 },
      );
      const { estimates } = JSON.parse(text);
      const find = (statistic, variable) => {
        const e = estimates.find((x) => x.statistic === statistic && x.variable === variable);
        assert(e, `no ${statistic} ${variable} in the results`);
        return e;
      };
      const q9_01 = find("item_index", "q9_01");
      const q9_02 = find("item_index", "q9_02");
      const p1 = find("element_index", "P1");
      // Both answered q9_02 (5, 5); q9_01 is 9 and 4: only the 4 counts (were
      // the 9 counted, n would be 2 and the index 50).
      assertEqual([q9_02.n, q9_02.weighted_n], [2, 20], "q9_02 n, weighted n");
      assertEqual([q9_01.n, q9_01.weighted_n, q9_01.estimate], [1, 10, 100], "q9_01 n, weighted n, index");
      // P1 is the mean of q9_01... item indices: every other answer of P1 is a
      // 5, so with the 9 counted as an answer (not satisfied) P1 would be
      // under 100.
      assertEqual(p1.estimate, 100, "P1 index");
    });
  } finally {
    for (const b of browsers) await b.close().catch(() => {});
    server.child.kill("SIGTERM");
  }

  const stop = await Promise.race([
    server.exited,
    new Promise((resolve) => setTimeout(() => resolve({ code: "timeout" }), 30000)),
  ]);
  await run.check("SIGTERM: the server stops with exit status 0", async () => {
    if (stop.code === "timeout") server.child.kill("SIGKILL");
    assertEqual(stop, { code: 0, signal: null }, "exit");
  });

  console.log("\nreport");
  for (const r of report) {
    const sizes = Object.entries(r.sizes).map(([k, v]) => `${k} ${v}`).join(", ");
    console.log(`  ${r.walk}: HTML bytes ${sizes}`);
    console.log(`  ${r.walk}: axe (all impacts) ${r.axe.length ? r.axe.join(", ") : "none"}`);
    if (r.smallest) {
      console.log(`  ${r.walk}: smallest Likert target ${r.smallest.name} ${r.smallest.width.toFixed(1)}x${r.smallest.height.toFixed(1)} px`);
    }
  }
  console.log(`\n${run.summary()}; screenshots in ${out}`);
  process.exitCode = run.failed.length === 0 ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 2;
});
