// The survey form in headless Chromium at a phone's width, on pages rendered
// to files by the C++ test FormStaticPage (no server needed):
// skip logic shows and hides items and sections as answers change, hidden
// inputs are not submitted, nothing overflows a 390-pixel viewport, matrices
// are lists on a phone and tables on a wide screen, errors are summarised and
// linked, and form.js evaluates expressions exactly as expression.cpp does.
//
//   cd tests/browser && npm ci && node form_static.mjs --build /path/to/build
//
// Options: --build DIR (the CMake build holding tests/survey_server_tests;
// default $SIPAS_BUILD_DIR or ../../build), --out DIR (screenshots and pages;
// default a fresh directory under /tmp), --pages DIR (pages already written,
// e.g. by SIPAS_FORM_PAGE_DIR=DIR survey_server_tests --gtest_filter=FormStaticPage.*).
// Exit status 0 when every check passes.

import { execFileSync } from "node:child_process";
import { mkdtemp, mkdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import {
  DESKTOP,
  PHONE,
  activeElementId,
  assert,
  assertEqual,
  choose,
  createRunner,
  evaluatorMismatches,
  fill,
  formFields,
  horizontalOverflow,
  itemState,
  launchChromium,
  openPage,
  sectionVisible,
  smallestTouchTarget,
  tick,
} from "./lib/form_page.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function writePages(build, dir) {
  const binary = path.join(build, "tests", "survey_server_tests");
  execFileSync(binary, ["--gtest_filter=FormStaticPage.*", "--gtest_brief=1"], {
    env: { ...process.env, SIPAS_FORM_PAGE_DIR: dir },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

const fieldNames = (fields) => fields.map(([name]) => name);

async function expectItem(page, id, visible) {
  const state = await itemState(page, id);
  assert(state.exists, `no item ${id}`);
  assert(state.visible === visible, `${id} should be ${visible ? "shown" : "hidden"}`);
  if (state.inputs > 0) {
    assert(state.disabled === !visible, `${id}'s inputs should be ${visible ? "enabled" : "disabled"}`);
  }
}

async function expectNoOverflow(page) {
  const overflow = await horizontalOverflow(page);
  assert(
    overflow.scrollWidth <= overflow.viewport && overflow.offenders.length === 0,
    `page is ${overflow.scrollWidth}px wide in a ${overflow.viewport}px viewport; ` +
      `sticking out: ${overflow.offenders.slice(0, 10).join(", ")}`,
  );
}

// A Likert matrix's statements as compact rows: in each visible row, the
// numbered (or short-label) buttons side by side on one line, each at least
// 44 x 44 px, and "don't know" (when the scale has it) after them.
async function expectLikertRows(page, id, points, dontKnow) {
  const rows = await page.evaluate((matrixId) => {
    const matrix = document.getElementById(`item-${matrixId}`);
    return Array.from(matrix.querySelectorAll(".likert-row"))
      .filter((r) => r.checkVisibility())
      .map((row) => ({
        id: row.id,
        buttons: Array.from(row.querySelectorAll(".scale > label:not(.dk)")).map((l) => {
          const b = l.getBoundingClientRect();
          return { left: b.left, right: b.right, top: b.top, width: b.width, height: b.height };
        }),
        dk: Array.from(row.querySelectorAll(".scale > label.dk")).map((l) => l.getBoundingClientRect().top),
      }));
  }, id);
  assert(rows.length > 0, `${id}: no visible rows`);
  for (const row of rows) {
    assertEqual(row.buttons.length, points, `${row.id} buttons`);
    row.buttons.forEach((b, i) => {
      assert(Math.abs(b.top - row.buttons[0].top) < 1, `${row.id} button ${i} is not on the first one's line`);
      assert(i === 0 || b.left >= row.buttons[i - 1].right - 1, `${row.id} button ${i} overlaps the one before`);
      assert(b.width >= 44 - 0.5 && b.height >= 44 - 0.5, `${row.id} button ${i} is ${b.width}x${b.height}px`);
    });
    assertEqual(row.dk.length, dontKnow ? 1 : 0, `${row.id} "don't know"`);
    if (dontKnow) assert(row.dk[0] >= row.buttons[0].top - 1, `${row.id}: "don't know" comes after`);
  }
  return rows;
}

async function main() {
  const out = option("out", null) || (await mkdtemp(path.join(tmpdir(), "sipas-browser-")));
  await mkdir(out, { recursive: true });
  let pages = option("pages", null);
  if (!pages) {
    pages = path.join(out, "pages");
    await mkdir(pages, { recursive: true });
    const build = option("build", process.env.SIPAS_BUILD_DIR || path.join(here, "..", "..", "build"));
    await writePages(build, pages);
  }
  const url = (name) => pathToFileURL(path.join(pages, name)).href;
  const run = createRunner();
  const browser = await launchChromium({ viewport: PHONE });

  try {
    // ---------------------------------------------------------- SIPAS, Vietnamese, phone
    const page = await openPage(browser.context, url("sipas-citizen-vi.html"));

    await run.check("the page is Vietnamese and starts with no script error", async () => {
      assertEqual(await page.getAttribute("html", "lang"), "vi", "html lang");
      assertEqual(page.sipasErrors, [], "script errors");
    });

    await run.check("items that do not apply start hidden, their inputs disabled", async () => {
      for (const id of ["a_ethnic_other", "a_edu_other", "a_job_other", "q2_other", "q9_32", "q9_33"]) {
        await expectItem(page, id, false);
      }
      assert(!(await sectionVisible(page, "C")), "section C (q8_4 = 1) should be hidden");
      const names = fieldNames(await formFields(page));
      for (const id of ["a_ethnic_other", "a_field", "q9_32"]) {
        assert(!names.includes(id), `${id} would be posted`);
      }
    });

    await run.check("a_ethnic = 2 (other) shows a_ethnic_other; = 1 hides it again", async () => {
      await choose(page, "a_ethnic", 2);
      await expectItem(page, "a_ethnic_other", true);
      await fill(page, "a_ethnic_other", "Tày");
      assert(
        (await formFields(page)).some(([k, v]) => k === "a_ethnic_other" && v === "Tày"),
        "the shown answer is posted",
      );
      await choose(page, "a_ethnic", 1);
      await expectItem(page, "a_ethnic_other", false);
      assert(!fieldNames(await formFields(page)).includes("a_ethnic_other"), "the hidden answer is not posted");
      await choose(page, "a_ethnic", 2);
      assertEqual(await page.inputValue('[name="a_ethnic_other"]'), "Tày", "the answer is kept while hidden");
    });

    await run.check("section C follows q8_4 (${q8_4} = 1)", async () => {
      await choose(page, "q8_4", 1);
      assert(await sectionVisible(page, "C"), "section C should be shown");
      await expectItem(page, "a_field", true);
      await choose(page, "a_field", 1);
      await choose(page, "q8_4", 2);
      assert(!(await sectionVisible(page, "C")), "section C should be hidden");
      const names = fieldNames(await formFields(page));
      assert(!names.includes("a_field") && !names.includes("a_channel"), "section C's answers are not posted");
    });

    await run.check("matrix rows q9_32, q9_33 follow ${q8_5} = 1 or ${q8_7} = 1", async () => {
      await choose(page, "q8_5", 1);
      await expectItem(page, "q9_32", true);
      await expectItem(page, "q9_33", true);
      await choose(page, "q8_5", 2);
      await expectItem(page, "q9_32", false);
      await choose(page, "q8_7", 1);
      await expectItem(page, "q9_33", true);
      await expectItem(page, "q9_01", true);
    });

    await run.check("nothing overflows a 390-pixel viewport, with every section shown", async () => {
      await choose(page, "q8_4", 1);
      await expectNoOverflow(page);
    });

    await run.check("the q9 statements are compact rows at 390 px: 5 buttons on a line, don't know apart", async () => {
      const rows = await expectLikertRows(page, "q9", 5, true);
      assert(rows.length >= 33, `${rows.length} visible rows`);
      await expectLikertRows(page, "q1", 3, false);
    });

    await run.check("answers, buttons and boxes are at least 44 px tall", async () => {
      const smallest = await smallestTouchTarget(page);
      assert(smallest >= 44 - 0.5, `smallest touch target ${smallest}px`);
    });

    await run.check("keyboard: Tab reaches the first question, arrows change the answer", async () => {
      const fresh = await openPage(browser.context, url("sipas-citizen-vi.html"));
      let id = "";
      for (let i = 0; i < 10 && !id.startsWith("f-a_sex"); i++) {
        await fresh.keyboard.press("Tab");
        id = await activeElementId(fresh);
      }
      assert(id.startsWith("f-a_sex"), `focus went to '${id}'`);
      await fresh.keyboard.press("ArrowDown");
      const checked = await fresh.evaluate(
        () => document.querySelector('input[name="a_sex"]:checked')?.value,
      );
      assert(checked !== undefined, "an arrow key chose an answer");
      const positive = await fresh.locator("[tabindex]:not([tabindex='-1']):not([tabindex='0'])").count();
      assertEqual(positive, 0, "elements with a positive tabindex");
      await fresh.close();
    });

    await run.check("screenshot at 390 px", async () => {
      await page.screenshot({ path: path.join(out, "sipas-citizen-390.png"), fullPage: true });
    });

    await run.check("on a wide screen the statements keep their buttons on one line", async () => {
      await page.setViewportSize(DESKTOP);
      await expectLikertRows(page, "q9", 5, true);
      await expectNoOverflow(page);
      await page.screenshot({ path: path.join(out, "sipas-citizen-1280.png"), fullPage: false });
      await page.setViewportSize(PHONE);
    });

    await run.check("no script error after all that", async () => {
      assertEqual(page.sipasErrors, [], "script errors");
    });
    await page.close();

    // ---------------------------------------------------------- errors, English
    const errors = await openPage(browser.context, url("sipas-citizen-en-errors.html"));

    await run.check("the error summary is focused and announces the problems", async () => {
      assertEqual(await activeElementId(errors), "sipas-error-summary", "focused element");
      assertEqual(await errors.getAttribute("#sipas-error-summary", "role"), "alert", "role");
      const text = await errors.textContent("#sipas-error-summary");
      assert(text.includes("Please answer this question."), "English messages");
      assert(/Error: /.test(await errors.title()), "title starts with Error:");
    });

    await run.check("a summary link focuses the input it names", async () => {
      const link = errors.locator('#sipas-error-summary a[href="#f-a_edu-0"]');
      await link.click();
      assertEqual(await activeElementId(errors), "f-a_edu-0", "focused element");
      assertEqual(await errors.getAttribute("#f-a_edu-0", "aria-invalid"), "true", "aria-invalid");
      const described = await errors.getAttribute("#f-a_edu-0", "aria-describedby");
      assert(described.includes("error-a_edu"), `aria-describedby ${described}`);
    });

    await run.check("the rejected answers are kept, and their skip logic applied", async () => {
      await expectItem(errors, "a_ethnic_other", true);
      assertEqual(await errors.inputValue('[name="a_ethnic_other"]'), '<Tày> & "Nùng"', "escaped text comes back as typed");
      assert(await sectionVisible(errors, "C"), "section C (q8_4 = 1) is shown");
      assertEqual(await errors.inputValue('[name="q11"]'), "Thủ tục còn rườm rà.\nCần rút gọn.", "long text");
      assert(await errors.isChecked('input[name="q9_01"][value="5"]'), "q9_01 stays checked");
      assertEqual(await errors.locator('button[value="save"]').count(), 1, "the draft button");
    });

    await run.check("the page with errors fits 390 px; screenshot", async () => {
      await expectNoOverflow(errors);
      await errors.screenshot({ path: path.join(out, "sipas-citizen-en-errors-390.png"), fullPage: true });
      assertEqual(errors.sipasErrors, [], "script errors");
    });

    await run.check("on a wide screen, rows with errors keep their buttons on one line", async () => {
      await errors.setViewportSize(DESKTOP);
      await expectLikertRows(errors, "q9", 5, true);
      await expectLikertRows(errors, "q1", 3, false);
      await expectNoOverflow(errors);
      await errors.setViewportSize(PHONE);
    });
    await errors.close();

    // ---------------------------------------------------------- the example form
    const example = await openPage(browser.context, url("example-vi.html"));

    await run.check("example: selected() and count-selected() drive multiple-choice follow-ups", async () => {
      await expectItem(example, "channels_other", false);
      await expectItem(example, "online_rating", false);
      await tick(example, "channels", 5);
      await expectItem(example, "channels_other", true);
      await tick(example, "channels", 3);
      await expectItem(example, "online_rating", true);
      await tick(example, "channels", 5, false);
      await expectItem(example, "channels_other", false);
      await expectItem(example, "online_rating", false);
      // Four ticks break max_selections = 3: the answer is invalid, so what
      // depends on it is not judged and stays shown.
      for (const code of [1, 2, 4]) await tick(example, "channels", code);
      await expectItem(example, "online_rating", true);
      await expectItem(example, "channels_other", true);
    });

    await run.check("example: a section's condition, and a conditional required mark", async () => {
      assert(!(await sectionVisible(example, "visit")), "visit starts hidden");
      await choose(example, "visited", 1);
      assert(await sectionVisible(example, "visit"), "visit shown");
      const mark = example.locator("#item-comments [data-required-if]");
      assert(!(await mark.isVisible()), "comments not required yet");
      await choose(example, "satisfaction", 2);
      assert(await mark.isVisible(), "comments required when satisfaction <= 2");
      await choose(example, "satisfaction", 9);
      assert(!(await mark.isVisible()), "not required for 'no opinion'");
      await choose(example, "visited", 2);
      assert(!(await sectionVisible(example, "visit")), "visit hidden");
      const names = fieldNames(await formFields(example));
      assert(!names.includes("satisfaction"), "the hidden section's answers are not posted");
    });

    await run.check("example: a word in a number box leaves its dependants alone", async () => {
      await fill(example, "age", "abc");
      assertEqual(example.sipasErrors, [], "script errors");
      await expectNoOverflow(example);
    });

    await run.check("form.js evaluates expressions exactly as expression.cpp", async () => {
      const cases = JSON.parse(await readFile(path.join(pages, "expression-cases.json"), "utf8"));
      const mismatches = await evaluatorMismatches(example, cases);
      assert(
        mismatches.length === 0,
        `${mismatches.length} of ${cases.cases.length} differ:\n` +
          mismatches.slice(0, 10).map((m) => JSON.stringify(m)).join("\n"),
      );
    });
    await example.close();

    // ---------------------------------------------------------- thanks
    const thanks = await openPage(browser.context, url("thanks-vi.html"));
    await run.check("the thank-you page fits 390 px", async () => {
      await expectNoOverflow(thanks);
    });
    await thanks.close();
  } finally {
    await browser.close();
  }

  console.log(`\n${run.summary()}; screenshots in ${out}`);
  process.exitCode = run.failed.length === 0 ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 2;
});
