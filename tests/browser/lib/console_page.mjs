// What the console's browser tests share (console_year.mjs): axe-core on a
// page (nothing serious or critical), the phone's sideways overflow, a
// full-page screenshot, and the login form. The checks of console_login.mjs's
// own copy, with the screenshot taken first and every problem of a page
// named in one error.

import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

import { assertEqual, horizontalOverflow } from "./form_page.mjs";

const AXE_SOURCE = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

// axe-core through the DevTools protocol (the pages' CSP allows no script of
// another origin); violations of serious or critical impact, and the others.
export async function axe(page) {
  const loaded = await page.evaluate(() => typeof window.axe !== "undefined");
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(" ")) }));
  }, AXE_TAGS);
  return {
    blocking: violations.filter((v) => v.impact === "serious" || v.impact === "critical"),
    other: violations.filter((v) => v.impact !== "serious" && v.impact !== "critical"),
  };
}

// axe (minor and moderate findings go to `notes`), nothing wider than a
// phone when `viewportName` is "phone", and `{viewportName}-{label}.png`,
// taken first so that a page that fails is there to look at.
export async function checkPage(page, label, out, viewportName, notes) {
  await page.screenshot({ path: path.join(out, `${viewportName}-${label}.png`), fullPage: true });
  const problems = [];
  const { blocking, other } = await axe(page);
  for (const v of other) notes.add(`${label}: ${v.id} (${v.impact})`);
  try {
    assertEqual(blocking.map((v) => `${v.id} ${v.targets.join(",")}`), [], `${label}: serious or critical axe violations`);
  } catch (error) {
    problems.push(error.message);
  }
  if (viewportName === "phone") {
    const overflow = await horizontalOverflow(page);
    if (overflow.offenders.length) {
      problems.push(
        `${label}: elements wider than the phone (page ${overflow.scrollWidth} px in ${overflow.viewport}): ` +
          overflow.offenders.slice(0, 12).join(", ") + (overflow.offenders.length > 12 ? ", ..." : ""),
      );
    }
  }
  if (problems.length) throw new Error(problems.join("\n"));
}

// Fills the login form (/admin/login) and submits it.
export async function logIn(page, user, password) {
  await page.fill("#user", user);
  await page.fill("#password", password);
  await Promise.all([page.waitForLoadState("load"), page.click("button[type=submit]")]);
  await page.waitForLoadState("load");
}
