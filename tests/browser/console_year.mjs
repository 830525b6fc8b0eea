// The survey year through the console, in headless Chromium, as people use it
// (issue 22): a province and two communes (`sipas unit import`), a manager, a
// unit user, an analyst and an administrator (`sipas user add`), then the
// real `sipas serve` with a public URL, and in the browser only:
//
//   - the manager logs in, opens Surveys, creates a survey from the standard
//     instrument sipas-short with the open link ticked (the create form) and
//     lands on the survey's page;
//   - follows "upload the sample", chooses a sample.csv whose line 4 has a
//     non-number inclusion_probability: the page names `sample.csv:4:` in an
//     error summary (role=alert); chooses the fixed file: the answer is the
//     download {id}-links.csv, one row per main respondent, a link to
//     /s/{id}?t= and the phone column; the survey's page then counts 3
//     invited a stratum (nothing of the refused upload was stored);
//   - before any answer the indices section says "no answer counts yet" (once
//     the page no longer says newer ones are being computed), and the
//     downloads page's CSV link gives a file of its header or says why not;
//     the manager opens the survey with its button;
//   - a respondent (another browser, 390 px) opens a link of the file, answers
//     the form and submits: the thank-you page;
//   - the manager's survey page shows 1 answered in the stratum's row and an
//     estimate in the indices (reloaded while the page says newer ones are
//     being computed); with ?refresh=2 a second answer moves the cell
//     without a reload (assets/console.js);
//   - the review queue lists the answers; the audit trail names the manager;
//     the downloads page gives {id}-answers.csv with the two answers;
//   - the unit user sees the survey with their stratum only, their
//     invitations without phone numbers, and 403 for the other commune's page
//     and for the sample upload;
//   - the administrator's users page;
//   - logout (the masthead's button) ends the session: /admin/ goes to the
//     login form again.
//
// On every console page: axe-core (nothing serious or critical); on the main
// pages, screenshots at 390 and 1280 px in --out (phone-surveys.png,
// desktop-sample-error.png, phone-survey-progress.png, ...), nothing wider
// than the phone.
//
//   cd tests/browser && npm ci && node console_year.mjs --sipas BUILD/cli/sipas [--out DIR]

import { execFileSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import {
  DESKTOP,
  PHONE,
  assert,
  assertEqual,
  choose,
  createRunner,
  fill,
  launchChromium,
  openPage,
} from "./lib/form_page.mjs";
import { checkPage, logIn } from "./lib/console_page.mjs";
import { freePort, option, parseCsv, prepareServerFolder, startServer } from "./lib/live_server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const VI = JSON.parse(await readFile(path.resolve(here, "../../texts/vi.json"), "utf8"));
const t = (key) => {
  assert(key in VI, `no text ${key} in texts/vi.json`);
  return VI[key];
};

const MANAGER_KEY = "console-year-manager-key-0123456789abcdef";
const ANALYST_KEY = "console-year-analyst-key-0123456789abcdef";
const PASSWORD = "mật khẩu năm khảo sát";
const SURVEY = "sipas-2026";

const UNITS =
  "id,name,type,parent\n" +
  "QN,Tỉnh Quảng Ninh,province,\n" +
  "W1,Phường Hồng Gai,ward,QN\n" +
  "W2,Xã Đầm Hà,commune,QN\n";

const SAMPLE_HEADER = "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank,phone\n";
// Line 4 (p03) is the one spoiled in the first upload.
const SAMPLE_ROWS = [
  "p01,W1,W1-A,0.1,10,main,,0901000001",
  "p02,W1,W1-A,0.1,10,main,,0901000002",
  "p03,W1,W1-B,0.1,10,main,,0901000003",
  "p04,W1,W1-B,0.1,10,reserve,1,0901000004",
  "p05,W2,W2-A,0.2,5,main,,0901000005",
  "p06,W2,W2-A,0.2,5,main,,0901000006",
  "p07,W2,W2-B,0.2,5,main,,0901000007",
  "p08,W2,W2-B,0.2,5,reserve,1,0901000008",
];
const GOOD_SAMPLE = SAMPLE_HEADER + SAMPLE_ROWS.join("\n") + "\n";
const BAD_SAMPLE = GOOD_SAMPLE.replace("p03,W1,W1-B,0.1,", "p03,W1,W1-B,mười phần trăm,");

// ------------------------------------------------------------------ helpers

// Clicks what leads to another page and waits for it; returns the response.
async function follow(page, locator) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: "load" }), locator.click()]);
  return response;
}

function scriptErrors(page) {
  return page.sipasErrors.filter((e) => !e.startsWith("Failed to load resource"));
}

// The row of the progress table for a stratum: its responded and invited cells.
async function progressRow(page, stratum) {
  return page.evaluate((s) => {
    const row = document.querySelector(`table[data-progress] tr[data-stratum="${CSS.escape(s)}"]`);
    if (!row) return null;
    const cell = (name) => row.querySelector(`[data-cell="${name}"]`)?.textContent.trim();
    return { invited: cell("invited"), responded: cell("responded"), text: row.textContent };
  }, stratum);
}

// The indices section: the text from its <h2> to the next <h2>, and the
// estimates of its table.
async function indicesSection(page, heading) {
  return page.evaluate((h) => {
    const h2 = [...document.querySelectorAll("main h2")].find((e) => e.textContent.trim() === h);
    if (!h2) return null;
    let text = "";
    const estimates = [];
    for (let e = h2.nextElementSibling; e && e.tagName !== "H2"; e = e.nextElementSibling) {
      text += e.textContent + "\n";
      // The table, or its scrolling frame.
      const table = e.tagName === "TABLE" ? e : e.querySelector("table");
      if (table) {
        for (const tr of table.querySelectorAll("tbody tr")) {
          estimates.push([...tr.querySelectorAll("td")].slice(0, 4).map((td) => td.textContent.trim()));
        }
      }
    }
    return { text, estimates };
  }, heading);
}

// Reloads the survey's page until it no longer says that newer indices are
// being computed (they are computed in the background), at most `ms`;
// returns the indices section and whether the note was still there.
async function settledIndices(page, ms = 15000) {
  const deadline = Date.now() + ms;
  for (;;) {
    await page.reload({ waitUntil: "load" });
    const section = await indicesSection(page, t("console.indices"));
    // The note's words before its first placeholder ({seconds}).
    const note = t("console.indices_updating").split("{")[0];
    const updating = (await page.textContent("main")).includes(note);
    if (!updating || Date.now() > deadline) return { section, updating };
    await page.waitForTimeout(500);
  }
}

// Answers every shown, enabled, unanswered question: the first answer of each
// choice (tapping its label), a procedure's name in text boxes; again while answers
// reveal more questions.
async function answerTheRest(page) {
  for (let round = 0; round < 5; round++) {
    const todo = await page.evaluate(() => {
      const form = document.getElementById("sipas-form");
      const groups = new Map(), texts = [];
      for (const e of form.elements) {
        if (!e.name || e.name.startsWith("_") || e.disabled) continue;
        if (!e.checkVisibility()) {
          const item = e.closest("[data-item]") || e.closest("fieldset");
          if (!item || !item.checkVisibility()) continue;
        }
        if (e.type === "radio") {
          if (!groups.has(e.name)) groups.set(e.name, { value: e.value, answered: false });
          if (e.checked) groups.get(e.name).answered = true;
        } else if ((e.type === "text" || e.tagName === "TEXTAREA") && e.value === "") {
          texts.push(e.name);
        }
      }
      return {
        radios: [...groups].filter(([, g]) => !g.answered).map(([name, g]) => [name, g.value]),
        texts,
      };
    });
    if (todo.radios.length === 0 && todo.texts.length === 0) return;
    for (const [name, value] of todo.radios) await choose(page, name, value);
    for (const name of todo.texts) await fill(page, name, "Đăng ký khai sinh");
  }
}

// A respondent with a phone: a browser of their own opens `link`, answers
// every page and submits; returns the thank-you page's URL and heading.
async function answerThroughLink(link, out, shot) {
  const browser = await launchChromium({ viewport: PHONE });
  try {
    const page = await openPage(browser.context, link);
    assert(await page.locator("#sipas-form").count(), `no form at ${link}: ${(await page.textContent("body")).slice(0, 300)}`);
    for (let pages = 0; pages < 10; pages++) {
      await answerTheRest(page);
      if (shot && pages === 0) await page.screenshot({ path: path.join(out, "phone-respondent-form.png"), fullPage: true });
      const submit = page.locator('button[name="_action"][value="submit"]');
      const button = (await submit.count()) ? submit : page.locator('button[name="_action"][value="next"]');
      const last = (await submit.count()) > 0;
      const response = await follow(page, button);
      assertEqual(response.status(), 200, `the page after ${last ? "submit" : "next"} (${page.url()})`);
      if (last) break;
    }
    const result = { url: page.url(), heading: (await page.textContent("h1")).trim(), errors: scriptErrors(page) };
    if (shot) await page.screenshot({ path: path.join(out, "phone-respondent-thanks.png"), fullPage: true });
    return result;
  } finally {
    await browser.close();
  }
}

// ------------------------------------------------------------------ the year

async function main() {
  const sipas = option("sipas", process.env.SIPAS_EXECUTABLE);
  if (!sipas) throw new Error("give the sipas executable: --sipas FILE or SIPAS_EXECUTABLE");
  const started = Date.now();
  const { out, work, db } = await prepareServerFolder(sipas, "console_year", { manager: MANAGER_KEY, analyst: ANALYST_KEY });
  const run = (args, input) => execFileSync(sipas, args, { input, stdio: ["pipe", "ignore", "inherit"] });
  const unitsFile = path.join(work, "units.csv");
  await writeFile(unitsFile, UNITS);
  run(["unit", "import", "--db", db, unitsFile]);
  const users = [
    ["minh", "manager"],
    ["lan", "unit", "W1"],
    ["hoa", "analyst"],
    ["quang", "admin"],
  ];
  for (const [name, role, unit] of users) {
    run(["user", "add", "--db", db, "--name", name, "--role", role, ...(unit ? ["--unit", unit] : []), "--password-stdin"], `${PASSWORD}\n`);
  }
  // The two files the manager chooses, both named sample.csv as people's are.
  const goodFile = path.join(work, "sample.csv");
  await writeFile(goodFile, GOOD_SAMPLE);
  await mkdir(path.join(work, "first-try"));
  const badFile = path.join(work, "first-try", "sample.csv");
  await writeFile(badFile, BAD_SAMPLE);

  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  // Newer live indices at once after each change (the default waits 30 s).
  const server = startServer(sipas, work, { listen: `127.0.0.1:${port}`, publicUrl, extra: ["--indices-every", "0"] });
  let base;
  try {
    base = await server.ready;
  } catch (error) {
    server.child.kill("SIGKILL");
    throw error;
  }
  console.log(`server at ${base}, files in ${out}`);
  const checks = createRunner();
  const notes = new Set();
  // Each page's axe and layout result, checked by name at the end, so that a
  // page that fails them does not stop the walk through the year.
  const layout = new Map();
  const look = async (p, label, viewportName) => {
    try {
      await checkPage(p, label, out, viewportName, notes);
      layout.set(`${viewportName}-${label}`, null);
    } catch (error) {
      layout.set(`${viewportName}-${label}`, error.message);
    }
  };
  const surveyPath = `/admin/surveys/${SURVEY}`;
  let links = [];
  const browsers = [];
  try {
    const manager = await launchChromium({ viewport: DESKTOP });
    browsers.push(manager);
    const page = await openPage(manager.context, `${base}/admin/`);
    // A main page at both widths (the desktop width again after).
    const both = async (label, p = page) => {
      await p.setViewportSize(PHONE);
      await look(p, label, "phone");
      await p.setViewportSize(DESKTOP);
      await look(p, label, "desktop");
    };

    await checks.check("the manager logs in", async () => {
      assert(page.url().includes("/admin/login"), `/admin/ without a session is at ${page.url()}`);
      await look(page, "login", "desktop");
      await logIn(page, "minh", PASSWORD);
      assertEqual(new URL(page.url()).pathname, "/admin/", "after login");
      await look(page, "home", "desktop");
    });

    await checks.check("Surveys: a survey from sipas-short with the open link, created by the form", async () => {
      await follow(page, page.locator("nav.console-nav a[href^='/admin/surveys']"));
      assertEqual(new URL(page.url()).pathname, "/admin/surveys", "the surveys page");
      assert(await page.locator("#create").isVisible(), "the create form's heading");
      await both("surveys");
      await page.fill("#survey-id", SURVEY);
      await page.selectOption("#standard", "sipas-short");
      await page.check("#open-link");
      const response = await follow(page, page.locator("form[action='/admin/surveys'] button[type=submit], main form button[type=submit]").last());
      assertEqual(response.status(), 200, "the page after create");
      assertEqual(new URL(page.url()).pathname, surveyPath, "lands on the survey's page");
      assert((await page.textContent("h1")).includes(SURVEY), "the survey's heading");
      const summary = await page.textContent("dl.summary");
      assert(summary.includes("sipas-short"), `the questionnaire: ${summary}`);
      assert(summary.includes(t("console.state.draft")), `the state: ${summary}`);
      assert(summary.includes(t("console.yes")), `the open link ticked: ${summary}`);
      assert((await page.textContent("main")).includes(t("console.no_invitations")), "no invitations yet");
      await look(page, "survey-new", "desktop");
    });

    await checks.check("the sample with a bad line 4: the line named in an alert", async () => {
      await follow(page, page.locator(`main a[href^='${surveyPath}/sample']`));
      assertEqual(new URL(page.url()).pathname, `${surveyPath}/sample`, "the sample page");
      await look(page, "sample", "desktop");
      await page.setInputFiles("#sample-file", badFile);
      await page.fill("#contacts", "phone");
      const response = await follow(page, page.locator("main form button[type=submit]"));
      assertEqual(response.status(), 422, "the refused upload");
      const summary = page.locator(".error-summary");
      assert(await summary.isVisible(), "the error summary is shown");
      const text = await summary.textContent();
      assert(text.includes(t("console.sample_refused")), `the summary's heading: ${text}`);
      assert(/sample\.csv:4:/.test(text), `line 4 named: ${text}`);
      assert(text.includes("inclusion_probability"), `the column named: ${text}`);
      // console.js focuses the summary once the page has loaded (deferred).
      await page.waitForFunction(() => document.activeElement?.classList.contains("error-summary"), null, { timeout: 5000 }).catch(() => {});
      const announced = await summary.evaluate((e) => ({
        role: e.getAttribute("role"),
        focused: document.activeElement === e || e.contains(document.activeElement),
        top: e.getBoundingClientRect().top,
      }));
      console.log(`      the summary: role=${announced.role}, focused=${announced.focused}, top=${Math.round(announced.top)}px`);
      assert(announced.role === "alert", "the summary is announced (role=alert)");
      assert(announced.focused, "the summary has the focus (assets/console.js)");
      assert(announced.top < DESKTOP.height, "the summary is in view when the page opens");
      assertEqual(await page.inputValue("#contacts"), "phone", "the contact column kept");
      await both("sample-error");
    });

    await checks.check("the fixed sample: the links file is the download", async () => {
      await page.setInputFiles("#sample-file", goodFile);
      await page.fill("#contacts", "phone");
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.locator("main form button[type=submit]").click(),
      ]);
      assertEqual(download.suggestedFilename(), `${SURVEY}-links.csv`, "the file's name");
      const saved = path.join(out, download.suggestedFilename());
      await download.saveAs(saved);
      const text = await readFile(saved, "utf8");
      links = parseCsv(text);
      const header = text.split(/\r?\n/)[0];
      for (const column of ["id", "stratum", "link", "phone"]) {
        assert(header.split(",").includes(column), `column ${column} in ${header}`);
      }
      assertEqual(links.map((r) => r.id), ["p01", "p02", "p03", "p05", "p06", "p07"], "one row a main respondent");
      for (const r of links) {
        assert(r.link.startsWith(`${publicUrl}/s/${SURVEY}?t=`), `the link of ${r.id}: ${r.link}`);
        assert(r.phone.startsWith("0901"), `the phone of ${r.id}: ${r.phone}`);
      }
      assertEqual(links.find((r) => r.id === "p03").stratum, "W1", "p03's stratum");
    });

    let before;
    await checks.check("the survey page before any answer: 3 invited a stratum (nothing of the refused upload), none answered, no index yet", async () => {
      await page.goto(`${base}${surveyPath}`);
      const w1 = await progressRow(page, "W1");
      const w2 = await progressRow(page, "W2");
      assert(w1 && w2, "a row for each stratum");
      assertEqual([w1.invited, w1.responded, w2.invited, w2.responded], ["3", "0", "3", "0"], "invited and answered");
      assert(w1.text.includes("Phường Hồng Gai") && w2.text.includes("Xã Đầm Hà"), `the units by name: ${w1.text} / ${w2.text}`);
      const first = await indicesSection(page, t("console.indices"));
      assert(first, `no <h2> "${t("console.indices")}"`);
      const settled = await settledIndices(page);
      before = settled.section;
      console.log(`      before, as first shown: "${first.text.trim().replace(/\s+/g, " ")}"`);
      assert(before.text.includes(t("console.indices_none")), `before any answer: ${before.text}`);
      assert(!settled.updating, `with no answer at all, still "${t("console.indices_updating")}" after 15 s`);
    });

    await checks.check("Downloads before any answer: the CSV link gives the file or says why not", async () => {
      const response = await follow(page, page.locator(`main a[href^='${surveyPath}/exports']`));
      if (response.status() === 404) throw new Error(`${surveyPath}/exports is 404 in this build`);
      const [download] = await Promise.all([
        page.waitForEvent("download", { timeout: 10000 }).catch(() => null),
        page.locator(`a[href^='${surveyPath}/exports/csv']`).click(),
      ]);
      if (!download) {
        // No file: the page shown instead must say that there is no answer.
        const shown = (await page.textContent("main")).replace(/\s+/g, " ");
        assert(/0|chưa|không|no answer/i.test(shown), `no download, and the page says: ${shown.slice(0, 300)}`);
        return;
      }
      const failure = await download.failure();
      if (failure || download.suggestedFilename() !== `${SURVEY}-answers.csv`) {
        // What the server answered, read again for the message only.
        const [status, type, body] = await page.evaluate(async (url) => {
          const r = await fetch(url);
          return [r.status, r.headers.get("content-type"), await r.text()];
        }, download.url());
        throw new Error(
          `the download is ${failure ? `${failure}` : download.suggestedFilename()}: GET ${new URL(download.url()).pathname} ` +
            `answered ${status} ${type}: ${body.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").slice(0, 400)}`,
        );
      }
      const saved = path.join(out, `before-${download.suggestedFilename()}`);
      await download.saveAs(saved);
      assertEqual(parseCsv((await readFile(saved, "utf8")).replace(/^\uFEFF/, "")).length, 0, "answers in the file");
    });
    await page.goto(`${base}${surveyPath}`);

    await checks.check("the manager opens the survey with its button", async () => {
      const button = page.locator(`form[action^='${surveyPath}/state'] button`);
      assertEqual((await button.textContent()).trim(), t("console.open_survey"), "the button");
      const response = await follow(page, button);
      assertEqual(response.status(), 200, "after the POST");
      assertEqual(new URL(page.url()).pathname, surveyPath, "back on the survey's page");
      assert((await page.textContent("dl.summary")).includes(t("console.state.open")), "the state is open");
      assertEqual(
        (await page.locator(`form[action^='${surveyPath}/state'] button`).textContent()).trim(),
        t("console.close_survey"),
        "the button now closes",
      );
    });

    await checks.check("a respondent answers through a link of the file (390 px)", async () => {
      const link = links.find((r) => r.id === "p01").link;
      const thanks = await answerThroughLink(link, out, true);
      assert(thanks.url.includes(`/s/${SURVEY}/thanks`), `at ${thanks.url}`);
      assertEqual(thanks.errors, [], "script errors on the form");
    });

    await checks.check("the manager sees 1 answered in W1 and an estimate in the indices", async () => {
      const { section: after, updating } = await settledIndices(page);
      const w1 = await progressRow(page, "W1");
      assertEqual(w1.responded, "1", "W1 answered");
      assertEqual((await progressRow(page, "W2")).responded, "0", "W2 answered");
      assert(!updating, "still 'being computed' after 15 s");
      assert(!after.text.includes(t("console.indices_none")), `still no index: ${after.text}`);
      assert(after.estimates.length > 0, `no estimate: ${after.text}`);
      assert(after.estimates.some(([, estimate]) => /^\d{1,3}(,\d)?$/.test(estimate)), `estimates: ${JSON.stringify(after.estimates)}`);
      console.log(`      before: "${before.text.trim().replace(/\s+/g, " ")}"`);
      console.log(`      after:  ${JSON.stringify(after.estimates)}`);
      await both("survey-progress");
    });

    await checks.check("with ?refresh=2 a second answer shows without a reload (console.js)", async () => {
      await page.goto(`${base}${surveyPath}?refresh=2`);
      assertEqual(await page.getAttribute("table[data-progress]", "data-interval"), "2", "the table's interval");
      await page.evaluate(() => { window.sipasNotReloaded = true; });
      const thanks = await answerThroughLink(links.find((r) => r.id === "p02").link, out, false);
      assert(thanks.url.includes(`/s/${SURVEY}/thanks`), `at ${thanks.url}`);
      await page.waitForFunction(
        () => document.querySelector('tr[data-stratum="W1"] [data-cell="responded"]').textContent.trim() === "2",
        null,
        { timeout: 10000 },
      );
      assert(await page.evaluate(() => window.sipasNotReloaded === true), "the page was reloaded");
      assert((await page.textContent("#progress-updated")).trim() !== "", "the 'updated at' line");
      assertEqual(scriptErrors(page), [], "script errors on the survey page");
    });

    await checks.check("the review queue lists the two answers", async () => {
      await follow(page, page.locator(`main a[href^='${surveyPath}/review']`));
      const rows = await page.locator("table.console-table tbody tr").allTextContents();
      assertEqual(rows.length, 2, `the received answers: ${rows.join(" | ")}`);
      assert(rows.some((r) => r.includes("p01")) && rows.some((r) => r.includes("p02")), `the respondents: ${rows.join(" | ")}`);
      await both("review");
      await follow(page, page.locator("table.console-table tbody a").first());
      assert((await page.textContent("main")).includes(t("console.answers")), "a response's answers");
      await look(page, "response", "desktop");
    });

    await checks.check("the audit trail names the manager's changes", async () => {
      await page.goto(`${base}/admin/audit`);
      const main = await page.textContent("main");
      assert(main.includes("minh"), "the manager's name");
      assert(main.includes(SURVEY), "the survey");
      await both("audit");
    });

    await checks.check("Downloads: the answers as CSV", async () => {
      await page.goto(`${base}${surveyPath}`);
      const link = page.locator(`main a[href^='${surveyPath}/exports']`);
      assert(await link.count(), "no link to the downloads from the survey's page");
      const response = await follow(page, link);
      if (response.status() === 404) throw new Error(`SKIP: ${surveyPath}/exports is 404 in this build`);
      assertEqual(response.status(), 200, "the downloads page");
      await both("exports");
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.locator(`a[href^='${surveyPath}/exports/csv']`).click(),
      ]);
      const saved = path.join(out, download.suggestedFilename());
      await download.saveAs(saved);
      if (download.suggestedFilename() !== `${SURVEY}-answers.csv`) {
        const body = (await readFile(saved, "utf8")).replace(/<[^>]*>/g, " ").replace(/\s+/g, " ");
        throw new Error(`the download is ${download.suggestedFilename()}, not ${SURVEY}-answers.csv: ${body.slice(0, 600)}`);
      }
      const rows = parseCsv((await readFile(saved, "utf8")).replace(/^\uFEFF/, ""));
      assertEqual(rows.length, 2, "the answers in the file");
    });

    const admin = await launchChromium({ viewport: DESKTOP });
    browsers.push(admin);
    await checks.check("the administrator's users page", async () => {
      const p = await openPage(admin.context, `${base}/admin/login`);
      await logIn(p, "quang", PASSWORD);
      await follow(p, p.locator("nav.console-nav a[href^='/admin/users']"));
      const main = await p.textContent("main");
      for (const name of ["minh", "lan", "hoa", "quang"]) assert(main.includes(name), `${name} listed`);
      await both("users", p);
    });

    const unit = await launchChromium({ viewport: PHONE });
    browsers.push(unit);
    await checks.check("the unit user sees their stratum only, 403 elsewhere", async () => {
      const p = await openPage(unit.context, `${base}/admin/login`);
      await logIn(p, "lan", PASSWORD);
      await follow(p, p.locator("nav.console-nav a[href^='/admin/surveys']"));
      await look(p, "surveys-unit", "phone");
      await follow(p, p.locator(`table.console-table a[href^='${surveyPath}']`));
      assertEqual(new URL(p.url()).pathname, surveyPath, "the survey's page");
      const strata = await p.locator("table[data-progress] tr[data-stratum]").evaluateAll((rows) => rows.map((r) => r.dataset.stratum));
      assertEqual(strata, ["W1"], "the strata shown");
      assertEqual((await progressRow(p, "W1")).responded, "2", "W1 answered");
      assertEqual(await p.locator(`a[href^='${surveyPath}/sample']`).count(), 0, "no link to the sample upload");
      await look(p, "survey-unit", "phone");
      await follow(p, p.locator(`main a[href^='${surveyPath}/invitations']`));
      const invited = await p.locator("table.console-table tbody tr").allTextContents();
      assertEqual(invited.length, 4, `W1's invitations (3 main, 1 reserve): ${invited.join(" | ")}`);
      assert(invited.every((r) => r.includes("Phường Hồng Gai")), `only W1's: ${invited.join(" | ")}`);
      assert(!invited.some((r) => r.includes("0901")), "no phone numbers on the unit's list");
      await look(p, "invitations-unit", "phone");
      const other = await p.goto(`${base}/admin/units/W2`);
      assertEqual(other.status(), 403, "the other commune's page");
      await look(p, "forbidden-unit", "phone");
      const sample = await p.goto(`${base}${surveyPath}/sample`);
      assertEqual(sample.status(), 403, "the sample upload");
      const own = await p.goto(`${base}/admin/units/W1`);
      assertEqual(own.status(), 200, "their own commune's page");
      await look(p, "unit-own", "phone");
    });

    await checks.check("logout ends the session", async () => {
      await page.goto(`${base}/admin/`);
      const response = await follow(page, page.locator("header form button"));
      assert(page.url().includes("/admin/login"), `after logout at ${page.url()} (${response.status()})`);
      await page.goto(`${base}/admin/`);
      assert(new URL(page.url()).pathname === "/admin/login", `after logout /admin/ is at ${page.url()}`);
      await page.goto(`${base}${surveyPath}`);
      assert(new URL(page.url()).pathname === "/admin/login", `after logout the survey's page is at ${page.url()}`);
    });
    for (const [name, problem] of layout) {
      await checks.check(`${name}.png: axe finds nothing serious or critical${name.startsWith("phone") ? ", nothing wider than 390 px" : ""}`, async () => {
        if (problem) throw new Error(problem);
      });
    }
  } finally {
    for (const b of browsers) await b.close().catch(() => {});
    server.child.kill("SIGTERM");
    const exit = await server.exited;
    if (exit.code !== 0) console.log(`FAIL  sipas serve exited with ${exit.code ?? exit.signal}`);
    if (exit.code !== 0) process.exitCode = 1;
  }
  for (const note of notes) console.log(`note  axe (minor or moderate): ${note}`);
  console.log(`${checks.summary()} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (checks.failed.length) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
