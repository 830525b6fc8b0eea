// The console's login, home and logout in headless Chromium, as a person uses
// them (issue 22): at 390 and 1280 px, a page without a session goes to the
// login form, a wrong password is named at the top, the right one opens the
// console with the session cookie HttpOnly and SameSite=Strict, a unit user
// sees their unit by name, logout ends the session; axe-core finds no serious
// or critical violation on any of these pages, and nothing scrolls sideways
// on a phone. Screenshots in --out: phone-login.png, desktop-home.png, ...
//
//   cd tests/browser && npm ci && node console_login.mjs --sipas /path/to/sipas [--out DIR]

import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

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
import { option, prepareServerFolder, startServer } from "./lib/live_server.mjs";

const MANAGER_KEY = "console-login-manager-key-0123456789abcdef";
const ANALYST_KEY = "console-login-analyst-key-0123456789abcdef";
const PASSWORD = "mật khẩu của người thử";
const AXE_SOURCE = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

// axe-core through the DevTools protocol (the pages' CSP allows no script of
// another origin); violations of serious or critical impact, and the others.
async function axe(page) {
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

async function checkPage(page, label, out, viewportName, notes) {
  const { blocking, other } = await axe(page);
  for (const v of other) notes.add(`${label}: ${v.id} (${v.impact})`);
  assertEqual(blocking.map((v) => `${v.id} ${v.targets.join(",")}`), [], `${label}: serious or critical axe violations`);
  if (viewportName === "phone") {
    const overflow = await horizontalOverflow(page);
    assertEqual(overflow.offenders, [], `${label}: elements wider than the phone`);
  }
  await page.screenshot({ path: path.join(out, `${viewportName}-${label}.png`), fullPage: true });
}

async function logIn(page, user, password) {
  await page.fill("#user", user);
  await page.fill("#password", password);
  await Promise.all([page.waitForLoadState("load"), page.click("button[type=submit]")]);
  await page.waitForLoadState("load");
}

async function main() {
  const sipas = option("sipas", process.env.SIPAS_EXECUTABLE);
  if (!sipas) throw new Error("give the sipas executable: --sipas FILE or SIPAS_EXECUTABLE");
  const { out, work, db } = await prepareServerFolder(sipas, "console_login", { manager: MANAGER_KEY, analyst: ANALYST_KEY });
  const units = path.join(work, "units.csv");
  await writeFile(units, "id,name,type,parent\nQN,Tỉnh Quảng Ninh,province,\nQN.HL,Phường Hạ Long,ward,QN\n");
  const run = (args, input) => execFileSync(sipas, args, { input, stdio: ["pipe", "ignore", "inherit"] });
  run(["unit", "import", "--db", db, units]);
  run(["user", "add", "--db", db, "--name", "minh", "--role", "manager", "--password-stdin"], `${PASSWORD}\n`);
  run(["user", "add", "--db", db, "--name", "lan", "--role", "unit", "--unit", "QN.HL", "--password-stdin"], `${PASSWORD}\n`);

  const server = startServer(sipas, work);
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
  try {
    for (const [viewportName, viewport] of [["phone", PHONE], ["desktop", DESKTOP]]) {
      const browser = await launchChromium({ viewport });
      try {
        const page = await openPage(browser.context, `${base}/admin/`);
        await checks.check(`${viewportName}: /admin/ without a session shows the login form`, async () => {
          assert(page.url().endsWith("/admin/login"), `at ${page.url()}`);
          assertEqual(await page.getAttribute("html", "lang"), "vi", "the page's language");
          assert((await page.textContent("h1")).includes("Đăng nhập"), "the heading");
          await checkPage(page, "login", out, viewportName, notes);
        });
        await checks.check(`${viewportName}: a wrong password is named at the top, the name kept`, async () => {
          await logIn(page, "minh", "not the password at all");
          assert(page.url().includes("/admin/login"), `at ${page.url()}`);
          const summary = await page.textContent(".error-summary");
          assert(summary.includes("Tên người dùng hoặc mật khẩu không đúng"), `summary: ${summary}`);
          assertEqual(await page.inputValue("#user"), "minh", "the name typed");
          assertEqual(await page.inputValue("#password"), "", "the password is never sent back");
          await checkPage(page, "login-error", out, viewportName, notes);
        });
        await checks.check(`${viewportName}: the right password opens the console`, async () => {
          await logIn(page, "minh", PASSWORD);
          assert(new URL(page.url()).pathname === "/admin/", `at ${page.url()}`);
          const body = await page.textContent("body");
          assert(body.includes("minh") && body.includes("Quản lý khảo sát"), "the person and the role");
          const cookies = await browser.context.cookies();
          const session = cookies.find((c) => c.name === "sipas_session");
          assert(session, `cookies: ${cookies.map((c) => c.name)}`);
          assert(session.httpOnly, "HttpOnly");
          assertEqual(session.sameSite, "Strict", "SameSite");
          assertEqual(await page.evaluate(() => document.cookie.includes("sipas_session")), false, "hidden from scripts");
          await checkPage(page, "home", out, viewportName, notes);
        });
        await checks.check(`${viewportName}: a survey's page, opened and closed from the console`, async () => {
          await Promise.all([page.waitForLoadState("load"), page.click("nav.console-nav a[href^='/admin/surveys']")]);
          await page.waitForLoadState("load");
          await checkPage(page, "surveys", out, viewportName, notes);
          await Promise.all([page.waitForLoadState("load"), page.click("table.console-table a")]);
          await page.waitForLoadState("load");
          assert((await page.textContent("h1")).includes("demo"), "the survey's page");
          const before = await page.textContent("dl.summary");
          const button = page.locator("main form[action*='/state'] button");
          await Promise.all([page.waitForLoadState("load"), button.click()]);
          await page.waitForLoadState("load");
          const after = await page.textContent("dl.summary");
          assert(before !== after, `the state changed: ${before} / ${after}`);
          await checkPage(page, "survey", out, viewportName, notes);
          await page.goto(`${base}/admin/`);
        });
        await checks.check(`${viewportName}: the console in English`, async () => {
          await page.click("nav.languages a");
          await page.waitForLoadState("load");
          assertEqual(await page.getAttribute("html", "lang"), "en", "the page's language");
          assert((await page.textContent("body")).includes("Survey manager"), "the role in English");
          await checkPage(page, "home-en", out, viewportName, notes);
        });
        await checks.check(`${viewportName}: logout ends the session`, async () => {
          await Promise.all([page.waitForLoadState("load"), page.click("header form button")]);
          await page.waitForLoadState("load");
          assert(page.url().includes("/admin/login"), `at ${page.url()}`);
          await page.goto(`${base}/admin/`);
          assert(page.url().endsWith("/admin/login"), `after logout /admin/ is at ${page.url()}`);
        });
        await checks.check(`${viewportName}: a unit user sees their unit by name`, async () => {
          await logIn(page, "lan", PASSWORD);
          const body = await page.textContent("body");
          assert(body.includes("Phường Hạ Long") && body.includes("Cán bộ đơn vị"), "the unit and the role");
          await checkPage(page, "home-unit", out, viewportName, notes);
        });
        await checks.check(`${viewportName}: a unit user reaches their unit's page and not the province's (403)`, async () => {
          await Promise.all([page.waitForLoadState("load"), page.click("nav.console-nav a[href^='/admin/units']")]);
          await page.waitForLoadState("load");
          const rows = await page.locator("table.console-table tbody tr").count();
          assertEqual(rows, 1, "the units listed");
          await checkPage(page, "units-unit", out, viewportName, notes);
          await Promise.all([page.waitForLoadState("load"), page.click("table.console-table a")]);
          await page.waitForLoadState("load");
          assert((await page.textContent("h1")).includes("Phường Hạ Long"), "the unit's page");
          await checkPage(page, "unit-page", out, viewportName, notes);
          const other = await page.goto(`${base}/admin/units/QN`);
          assertEqual(other.status(), 403, "the province's page");
          await checkPage(page, "forbidden", out, viewportName, notes);
        });
        await page.close();
      } finally {
        await browser.close();
      }
    }
  } finally {
    server.child.kill("SIGTERM");
    await server.exited;
  }
  for (const note of notes) console.log(`note  axe (minor or moderate): ${note}`);
  console.log(checks.summary());
  process.exitCode = checks.failed.length ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
