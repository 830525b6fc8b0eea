// The survey form end to end, against the real server (`sipas serve`) and a
// real database file, in headless Chromium at a phone's width:
//
//   - a survey `demo` (sipas-citizen) is created with `sipas survey create`
//     before the server starts, then opened and given invitations through the
//     admin API (POST .../open, POST .../invitations?contact=phone, text/csv);
//   - the first invitation link is opened and the form, a page at a time
//     (next and back), answered; skip logic seen hiding and showing items in
//     the page and, across pages, section C's page left out or shown and
//     matrix rows following an earlier page's answer; a submission with a
//     required item missing gets the server's 422 page (error summary,
//     answers kept); the fixed submission is answered 303 -> /s/demo/thanks;
//     screenshots;
//   - the same link again gives the "already answered" page (409);
//   - a second invitation saves drafts on two pages, which prefill them when
//     the link is opened again (on the page reached);
//   - the survey's open link is off (the default): the address without a
//     token is a 403 page in Vietnamese, without the form;
//   - the admin API (analyst key) lists exactly one response, with the answers
//     the browser posted;
//   - SIGTERM stops the server with exit status 0.
//
//   cd tests/browser && npm ci && node form_live.mjs --sipas BUILD/cli/sipas [--out DIR]
//
// Options: --sipas FILE (default $SIPAS_EXECUTABLE), --out DIR (screenshots,
// the database and the server's log; default a fresh directory under /tmp).
// Exit status 0 when every check passes, 1 when one fails, 2 when the test
// could not run (no server, no browser).

import path from "node:path";

import {
  PHONE,
  assert,
  assertEqual,
  choose,
  createRunner,
  fill,
  formFields,
  horizontalOverflow,
  itemState,
  launchChromium,
  openPage,
  sectionVisible,
} from "./lib/form_page.mjs";
import { api, option, parseCsv, prepareServerFolder, startServer } from "./lib/live_server.mjs";

const MANAGER_KEY = "live-test-manager-key-0123456789abcdef";
const ANALYST_KEY = "live-test-analyst-key-0123456789abcdef";

const SAMPLE =
  "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank,sex,phone\n" +
  "p1,A,A1,0.1,10,main,,1,0901000001\n" +
  "p2,A,A1,0.1,10,main,,2,0901000002\n" +
  "p3,B,B1,0.25,4,main,,1,0901000003\n";

// ------------------------------------------------------------------ the server

// ------------------------------------------------------------------ the form

async function expectItem(page, id, visible) {
  const state = await itemState(page, id);
  assert(state.exists, `no item ${id}`);
  assert(state.visible === visible, `${id} should be ${visible ? "shown" : "hidden"}`);
  if (state.inputs > 0) {
    assert(state.disabled === !visible, `${id}'s inputs should be ${visible ? "enabled" : "disabled"}`);
  }
}

// Answers every shown, enabled, unanswered question but those in `leave`: the
// first answer of each choice (tapping its label), "x" in required text boxes.
// Repeats while answers reveal more questions (section C follows q8_4).
async function answerTheRest(page, leave = new Set()) {
  for (let round = 0; round < 5; round++) {
    const todo = await page.evaluate((skip) => {
      const form = document.getElementById("sipas-form");
      const groups = new Map(), texts = [];
      for (const e of form.elements) {
        if (!e.name || e.name.startsWith("_") || skip.includes(e.name) || e.disabled) continue;
        if (!e.checkVisibility()) {
          // Radios are often visually replaced; judge by the item's box.
          const item = e.closest("[data-item]") || e.closest("fieldset");
          if (!item || !item.checkVisibility()) continue;
        }
        if (e.type === "radio") {
          if (!groups.has(e.name)) groups.set(e.name, { value: e.value, answered: false });
          if (e.checked) groups.get(e.name).answered = true;
        } else if ((e.type === "text" || e.tagName === "TEXTAREA") && e.value === "" && e.required) {
          texts.push(e.name);
        }
      }
      return {
        radios: [...groups].filter(([, g]) => !g.answered).map(([name, g]) => [name, g.value]),
        texts,
      };
    }, [...leave]);
    if (todo.radios.length === 0 && todo.texts.length === 0) return;
    for (const [name, value] of todo.radios) await choose(page, name, value);
    for (const name of todo.texts) await fill(page, name, "x");
  }
}

// The page of the paged form shown (the form's _page field; 0 for none).
async function pageNumber(page) {
  return Number(await page.locator('input[name="_page"]').getAttribute("value").catch(() => 0));
}

// Presses "next" (or `value`): 303 to the page to show, which is returned.
async function turn(page, value = "next") {
  const { post, final } = await submit(page, value);
  assertEqual(post.status(), 303, `POST ${value}`);
  assertEqual(final.status(), 200, `the page after ${value}`);
  return pageNumber(page);
}

// Submits with the button `value` ("submit" or "save"); returns the response
// to the POST itself (a 303 is not followed by it) and the final response.
async function submit(page, value) {
  const post = page.waitForResponse((r) => r.request().method() === "POST");
  const navigation = page.waitForNavigation({ waitUntil: "load" });
  await page.locator(`button[name="_action"][value="${value}"]`).click();
  const [first, last] = await Promise.all([post, navigation]);
  return { post: first, final: last };
}

// Uncaught errors and console errors, but for Chromium's "Failed to load
// resource" lines: the 422 and 409 pages are meant, and Chromium's own
// /favicon.ico request (the server has none) is not the page's doing. Failed
// requests of the page are checked through the context's responses instead.
function scriptErrors(page) {
  return page.sipasErrors.filter((e) => !e.startsWith("Failed to load resource"));
}

async function expectNoOverflow(page) {
  const o = await horizontalOverflow(page);
  assert(
    o.scrollWidth <= o.viewport && o.offenders.length === 0,
    `page is ${o.scrollWidth}px wide in a ${o.viewport}px viewport; sticking out: ${o.offenders.slice(0, 10).join(", ")}`,
  );
}

// ------------------------------------------------------------------ main

async function main() {
  const sipas = option("sipas", process.env.SIPAS_EXECUTABLE);
  if (!sipas) throw new Error("give the sipas executable: --sipas FILE or SIPAS_EXECUTABLE");
  const { out, work } = await prepareServerFolder(sipas, "form_live", { manager: MANAGER_KEY, analyst: ANALYST_KEY });

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
  let links = [];
  let browser = null;
  let posted = [];
  // What the browser posted, page by page (a later page's answer wins).
  const postedByName = new Map();
  const remember = async (page) => {
    for (const [k, v] of await formFields(page)) if (!k.startsWith("_")) postedByName.set(k, v);
  };

  try {
    await run.check("admin API: open the survey and import the sample as invitations", async () => {
      let r = await api(base, "POST", "/api/v1/surveys/demo/open", { key: MANAGER_KEY });
      assertEqual(r.status, 200, `open: ${r.text}`);
      // The server's --public-url has no port (the port is chosen at start):
      // the links are built on the address given with this import.
      const query = `contact=phone&base_url=${encodeURIComponent(base)}`;
      r = await api(base, "POST", `/api/v1/surveys/demo/invitations?${query}`, {
        key: MANAGER_KEY, body: SAMPLE, type: "text/csv",
      });
      assertEqual(r.status, 201, `invitations: ${r.text}`);
      links = parseCsv(r.text);
      assertEqual(links.map((l) => l.id), ["p1", "p2", "p3"], "links CSV ids");
      assertEqual(links[0].phone, "0901000001", "the links CSV carries the contact column");
      for (const l of links) assert(l.link.startsWith(`${base}/s/demo?t=`), `link ${l.link}`);
    });
    assert(links.length === 3, "no invitations; cannot go on");

    browser = await launchChromium({ viewport: PHONE });
    // Every 4xx/5xx the browser got that a check did not ask for.
    const unexpected = [];
    browser.context.on("response", (r) => {
      const url = new URL(r.url());
      if (r.status() >= 400 && ![409, 422].includes(r.status())) unexpected.push(`${r.status()} ${url.pathname}`);
    });
    const page = await openPage(browser.context, links[0].link);

    await run.check("the invitation link opens the Vietnamese form, no script error", async () => {
      assertEqual(await page.getAttribute("html", "lang"), "vi", "html lang");
      assertEqual(await page.locator("#sipas-form").count(), 1, "the form");
      assertEqual(await page.locator('button[name="_action"][value="save"]').count(), 1, "the draft button");
      assertEqual(unexpected, [], "failed requests");
      assertEqual(scriptErrors(page), [], "script errors");
    });

    await run.check("skip logic: a_ethnic = 2 shows a_ethnic_other, = 1 hides it", async () => {
      await expectItem(page, "a_ethnic_other", false);
      await choose(page, "a_ethnic", 2);
      await expectItem(page, "a_ethnic_other", true);
      await fill(page, "a_ethnic_other", "Tày");
      await choose(page, "a_ethnic", 1);
      await expectItem(page, "a_ethnic_other", false);
      assert(!(await formFields(page)).some(([k]) => k === "a_ethnic_other"), "hidden answer would be posted");
    });

    // The form is a page per section (A, B1, C, B2 in three pages): section C
    // depends on q8_4 and rows q9_32/q9_33 on q8_5 or q8_7, asked on page 2.
    await run.check("skip logic across pages: section C's page follows q8_4, rows q9_32/q9_33 follow q8_5 (q8_7 = 2)", async () => {
      assertEqual(await pageNumber(page), 1, "page");
      await choose(page, "a_sex", 2);
      await answerTheRest(page);
      await expectNoOverflow(page);
      await remember(page);
      assertEqual(await turn(page), 2, "next from page 1");
      await choose(page, "q8_4", 2);
      await choose(page, "q8_5", 2);
      await choose(page, "q8_7", 2);
      await answerTheRest(page);
      assertEqual(await turn(page), 4, "next from page 2 with q8_4 = 2 leaves out section C's page");
      assertEqual(await page.locator("#section-C").count(), 0, "no section C");
      await answerTheRest(page);
      assertEqual(await turn(page), 5, "next from page 4");
      await expectItem(page, "q9_32", false);
      assertEqual(await turn(page, "back"), 4, "back from page 5");
      assertEqual(await turn(page, "back"), 2, "back from page 4 leaves out section C's page");
      assert(await page.isChecked('input[name="q8_4"][value="2"]'), "q8_4 kept");
      await choose(page, "q8_4", 1);
      await choose(page, "q8_5", 1);
      await remember(page);
      assertEqual(await turn(page), 3, "next from page 2 with q8_4 = 1");
      assert(await sectionVisible(page, "C"), "section C shown for q8_4 = 1");
    });

    await run.check("answer the form but q_overall, page by page; nothing overflows 390 px", async () => {
      let k = await pageNumber(page);
      while (await page.locator('button[name="_action"][value="next"]').count()) {
        if (k === 5) await expectItem(page, "q9_32", true);
        await answerTheRest(page);
        await expectNoOverflow(page);
        await remember(page);
        const was = k;
        k = await turn(page);
        assert(k === was + 1, `next from page ${was} gave page ${k}`);
      }
      assertEqual(k, 6, "the last page");
      await fill(page, "q11", "Thủ tục nhanh, cán bộ nhiệt tình.");
      await answerTheRest(page, new Set(["q_overall"]));
      await expectNoOverflow(page);
      await page.screenshot({ path: path.join(out, "live-form-390.png"), fullPage: true });
    });

    await run.check("submitting without q_overall: the server's 422 page, answers kept", async () => {
      const { post, final } = await submit(page, "submit");
      assertEqual(post.status(), 422, "POST status");
      assertEqual(final.status(), 422, "page status");
      const summary = page.locator("#sipas-error-summary");
      assert(await summary.isVisible(), "error summary shown");
      const hrefs = await summary.locator("a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
      assert(hrefs.length === 1 && hrefs[0].startsWith("#f-q_overall"), `summary links ${JSON.stringify(hrefs)}`);
      // The answers of this page are kept (those of earlier pages are in the
      // draft, and checked in the stored response at the end).
      assertEqual(await pageNumber(page), 6, "the page stays the last one");
      assert(await page.isChecked('input[name="q10_01"][value="1"]'), "q10_01 stays 1");
      assertEqual(await page.inputValue('[name="q11"]'), "Thủ tục nhanh, cán bộ nhiệt tình.", "q11 kept");
      assert(page.url().startsWith(links[0].link), `the page stays on the invitation: ${page.url()}`);
      await expectNoOverflow(page);
      await page.screenshot({ path: path.join(out, "live-errors-390.png"), fullPage: true });
    });

    await run.check("answering q_overall and submitting: 303 to /s/demo/thanks, the thank-you page", async () => {
      await choose(page, "q_overall", 4);
      await remember(page);
      posted = [...postedByName];
      const { post, final } = await submit(page, "submit");
      assertEqual(post.status(), 303, "POST status");
      assert(/\/s\/demo\/thanks(\?|$)/.test(post.headers().location || ""), `Location ${post.headers().location}`);
      assertEqual(final.status(), 200, "thanks status");
      assert(new URL(page.url()).pathname === "/s/demo/thanks", `at ${page.url()}`);
      assert(/cảm ơn/i.test(await page.textContent("body")), "the thank-you text");
      await expectNoOverflow(page);
      const shot = path.join(out, "live-thanks-390.png");
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`      screenshot ${shot}`);
      assertEqual(scriptErrors(page), [], "script errors");
    });

    await run.check("the same link again: 409, already answered", async () => {
      const again = await browser.context.newPage();
      const r = await again.goto(links[0].link, { waitUntil: "load" });
      assertEqual(unexpected, [], "failed requests so far");
      assertEqual(r.status(), 409, "status");
      assertEqual(await again.locator("#sipas-form").count(), 0, "no form");
      assert((await again.textContent("body")).includes("đã được ghi nhận trước đó"), "the message");
      await again.close();
    });

    await run.check("a second invitation: save drafts on pages 1, 2 and 6, they prefill on reload", async () => {
      const saveDraft = async (p) => {
        const { post, final } = await submit(p, "save");
        assertEqual(post.status(), 303, "POST status");
        assertEqual(final.status(), 200, "page status");
        assert(new URL(p.url()).searchParams.get("saved") === "1", `at ${p.url()}`);
        assert(await p.locator(".notice[role=status]").isVisible(), "the 'draft saved' notice");
      };
      const draft = await openPage(browser.context, links[1].link);
      await choose(draft, "a_sex", 1);
      await choose(draft, "a_ethnic", 2);
      await fill(draft, "a_ethnic_other", "Nùng");
      await saveDraft(draft);
      await answerTheRest(draft);
      assertEqual(await turn(draft), 2, "next from page 1");
      await choose(draft, "q8_4", 1);
      await saveDraft(draft);
      await draft.close();
      const last = await openPage(browser.context, `${links[1].link}&page=6`);
      assertEqual(await pageNumber(last), 6, "page=6");
      await fill(last, "q11", "Để sau trả lời tiếp.");
      await saveDraft(last);
      await last.close();

      // The link alone: the first page not complete, page 2.
      const reloaded = await openPage(browser.context, links[1].link);
      assertEqual(await reloaded.locator(".notice").count(), 0, "no notice on a plain reload");
      assertEqual(await pageNumber(reloaded), 2, "the link opens the page reached");
      assert(await reloaded.isChecked('input[name="q8_4"][value="1"]'), "q8_4 prefilled");
      assertEqual(scriptErrors(reloaded), [], "script errors");
      await reloaded.close();
      const first = await openPage(browser.context, `${links[1].link}&page=1`);
      assert(await first.isChecked('input[name="a_sex"][value="1"]'), "a_sex prefilled");
      assert(await first.isChecked('input[name="a_ethnic"][value="2"]'), "a_ethnic prefilled");
      await expectItem(first, "a_ethnic_other", true);
      assertEqual(await first.inputValue('[name="a_ethnic_other"]'), "Nùng", "a_ethnic_other");
      assertEqual(scriptErrors(first), [], "script errors");
      await first.close();
      const sixth = await openPage(browser.context, `${links[1].link}&page=6`);
      assertEqual(await sixth.inputValue('[name="q11"]'), "Để sau trả lời tiếp.", "q11");
      await sixth.close();
    });

    await run.check("the open link is off: /s/demo without a token is a 403 page in Vietnamese", async () => {
      const open = await browser.context.newPage();
      const r = await open.goto(`${base}/s/demo`, { waitUntil: "load" });
      assertEqual(r.status(), 403, "status");
      assertEqual(await open.getAttribute("html", "lang"), "vi", "html lang");
      assertEqual(await open.locator("#sipas-form").count(), 0, "no form");
      assert((await open.textContent("body")).includes("chỉ dành cho những người được mời"), "the message");
      await expectNoOverflow(open);
      await open.screenshot({ path: path.join(out, "live-invited-only-390.png"), fullPage: true });
      await open.close();
    });

    await run.check("admin API: exactly one response, with the answers given", async () => {
      let r = await api(base, "GET", "/api/v1/surveys/demo/responses", { key: ANALYST_KEY });
      assertEqual(r.status, 200, `export: ${r.text}`);
      const { responses } = JSON.parse(r.text);
      assertEqual(responses.length, 1, "responses");
      const [row] = responses;
      assertEqual(row.respondent_id, "p1", "respondent");
      assertEqual([row.stratum, row.psu, row.design_weight], ["A", "A1", 10], "design");
      assertEqual(row.language, "vi", "language");
      assert(!JSON.stringify(row).includes("0901000001"), "the phone number is not exported");
      assert(posted.length > 50, `${posted.length} fields posted`);
      const wrong = posted.filter(([k, v]) => String(row.answers[k]) !== v);
      assertEqual(wrong.map(([k, v]) => `${k}=${v} stored ${JSON.stringify(row.answers[k])}`), [], "answers");
      assertEqual(row.answers.q_overall, 4, "q_overall");
      assertEqual(row.answers.a_sex, 2, "a_sex");
      assert(!("a_ethnic_other" in row.answers), "the hidden answer was not stored");
      const extra = Object.keys(row.answers).filter((k) => !posted.some(([p]) => p === k));
      assertEqual(extra, [], "answers stored that were not posted");
      r = await api(base, "GET", "/api/v1/surveys/demo/responses", {});
      assertEqual(r.status, 401, "without a key");
    });
  } finally {
    if (browser) await browser.close();
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

  console.log(`\n${run.summary()}; screenshots in ${out}`);
  process.exitCode = run.failed.length === 0 ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 2;
});
