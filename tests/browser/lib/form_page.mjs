// Helpers to drive the survey form (survey_server/form_page.hpp) in headless
// Chromium with playwright-core. Used by form_static.mjs on pages written to
// files; meant to be reused by an end-to-end test against the live server
// (openPage takes any URL).
//
// The form's conventions these helpers rely on: an item's container has
// id="item-{id}", a section's id="section-{id}"; inputs are named by the item
// id; the error summary is #sipas-error-summary; the form is #sipas-form.

import { chromium } from "playwright-core";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

export const CHROMIUM = process.env.SIPAS_CHROMIUM || "/usr/bin/chromium";

// No network chatter, no first-run UI; Debian's build runs as root in CI.
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

// A browser context with a fresh profile (a new --user-data-dir, removed by
// close()). Playwright passes the profile directory itself, so it is not in
// CHROMIUM_ARGS.
export async function launchChromium({ viewport = PHONE } = {}) {
  const userDataDir = await mkdtemp(path.join(tmpdir(), "sipas-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    deviceScaleFactor: 1,
    isMobile: false,
    hasTouch: true,
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

// Opens `url`; page.sipasErrors collects uncaught script errors and console
// errors, so a test can require that there were none.
export async function openPage(context, url, { viewport } = {}) {
  const page = await context.newPage();
  page.sipasErrors = [];
  page.on("pageerror", (error) => page.sipasErrors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error") page.sipasErrors.push(message.text());
  });
  if (viewport) await page.setViewportSize(viewport);
  await page.goto(url, { waitUntil: "load" });
  // form.js is deferred: it has run once the load event has fired.
  return page;
}

export function itemLocator(page, id) {
  return page.locator(`#item-${id}`);
}

export function sectionLocator(page, id) {
  return page.locator(`#section-${id}`);
}

// Whether an item is on screen (not hidden itself or by its section) and
// whether every input of it is disabled (so it would not be submitted).
export async function itemState(page, id) {
  return page.evaluate((itemId) => {
    const element = document.getElementById(`item-${itemId}`);
    if (!element) return { exists: false, visible: false, disabled: false, inputs: 0 };
    const inputs = Array.from(document.getElementById("sipas-form").elements).filter(
      (e) => e.name === itemId,
    );
    return {
      exists: true,
      visible: element.checkVisibility(),
      disabled: inputs.length > 0 && inputs.every((e) => e.matches(":disabled")),
      inputs: inputs.length,
    };
  }, id);
}

export async function sectionVisible(page, id) {
  return page.evaluate((s) => document.getElementById(`section-${s}`).checkVisibility(), id);
}

// Chooses `code` of a single choice, likert, rating or matrix row the way a
// person does: by tapping its label (the label around the input, as in the
// compact Likert rows, whose inputs have no id, or else label[for]).
export async function choose(page, id, code) {
  const input = page.locator(`input[name="${id}"][value="${code}"]`);
  const wrapping = input.locator("xpath=ancestor::label[1]");
  if ((await wrapping.count()) > 0) await wrapping.click();
  else await page.locator(`label[for="${await input.getAttribute("id")}"]`).click();
}

// Ticks or unticks one code of a multiple choice.
export async function tick(page, id, code, on = true) {
  const input = page.locator(`input[name="${id}"][value="${code}"]`);
  if (on) await input.check();
  else await input.uncheck();
}

export async function fill(page, id, text) {
  await page.locator(`[name="${id}"]`).fill(text);
}

// What the form would post now: [name, value] pairs (disabled inputs are left
// out by the browser, as on a real submission).
export async function formFields(page) {
  return page.evaluate(() =>
    Array.from(new FormData(document.getElementById("sipas-form")).entries()).map(([k, v]) => [
      k,
      String(v),
    ]),
  );
}

// Visible elements that stick out of the viewport sideways, and the page's
// scroll width: a phone layout must not scroll horizontally.
export async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const offenders = [];
    // Inside a frame that scrolls sideways (a wide table's), an element may
    // be wider than the page: the frame scrolls, not the page.
    const inScrollFrame = (element) => {
      for (let e = element.parentElement; e && e !== document.body; e = e.parentElement) {
        const overflow = getComputedStyle(e).overflowX;
        if (overflow === "auto" || overflow === "scroll") return true;
      }
      return false;
    };
    for (const element of document.body.querySelectorAll("*")) {
      if (!element.checkVisibility()) continue;
      if (inScrollFrame(element)) continue;
      const box = element.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (box.right > width + 0.5 || box.left < -0.5) {
        const name =
          element.tagName.toLowerCase() +
          (element.id ? `#${element.id}` : "") +
          (element.className && typeof element.className === "string"
            ? `.${element.className.trim().split(/\s+/).join(".")}`
            : "");
        offenders.push(`${name} [${Math.round(box.left)}, ${Math.round(box.right)}]`);
      }
    }
    return {
      viewport: width,
      scrollWidth: document.documentElement.scrollWidth,
      offenders,
    };
  });
}

// The smallest height among visible answer labels (touch targets).
export async function smallestTouchTarget(page) {
  return page.evaluate(() => {
    let smallest = Infinity;
    for (const element of document.querySelectorAll(".choice, .button, .input")) {
      if (!element.checkVisibility()) continue;
      smallest = Math.min(smallest, element.getBoundingClientRect().height);
    }
    return smallest;
  });
}

export async function activeElementId(page) {
  return page.evaluate(() => (document.activeElement ? document.activeElement.id : ""));
}

// Runs the cases written by FormStaticPage (tests/survey_server/
// form_static_page_test.cpp) through form.js's evaluator in the page; returns
// the cases whose result differs from expression.cpp's.
export async function evaluatorMismatches(page, cases) {
  return page.evaluate((data) => {
    const same = (a, b) => {
      if (a.k !== b.k) return false;
      if (a.k === "num") return a.v === b.v || (Number.isNaN(a.v) && Number.isNaN(b.v));
      if (a.k === "sel") return JSON.stringify(a.v) === JSON.stringify(b.v);
      return a.k === "empty" || a.k === "unknown" || a.v === b.v;
    };
    const out = [];
    for (const c of data.cases) {
      const got = window.sipasForm.evaluate(c.ast, data.environments[c.env]);
      if (!same(got, c.expected)) {
        out.push({ expression: c.expression, env: c.env, expected: c.expected, got });
      }
    }
    return out;
  }, cases);
}

// A minimal runner: named checks, each failing on a thrown Error, and a
// summary. Checks run in order and share state (the page) on purpose.
export function createRunner(log = console.log) {
  const results = [];
  return {
    async check(name, fn) {
      try {
        await fn();
        results.push({ name, ok: true });
        log(`ok    ${name}`);
      } catch (error) {
        results.push({ name, ok: false, error });
        log(`FAIL  ${name}\n      ${String(error && error.message ? error.message : error).split("\n").join("\n      ")}`);
      }
    },
    get failed() {
      return results.filter((r) => !r.ok);
    },
    summary() {
      const failed = results.filter((r) => !r.ok).length;
      return `${results.length - failed} passed, ${failed} failed`;
    },
  };
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

export function assertEqual(actual, expected, message) {
  const a = JSON.stringify(actual), e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${message}: expected ${e}, got ${a}`);
}
