// The node part of bench/form_pages_bench.sh (read its header): page sizes of the
// paged form, blank and after a walk through it, and first-contentful-paint of
// page 1 under Slow 3G with 4x CPU throttling. Uses tests/browser's node_modules.
//
//   node bench/form_pages_bench.mjs --walk LINK --paint LINK [--runs 5]

import { createRequire } from "node:module";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { CHROMIUM, CHROMIUM_ARGS, PHONE, choose } from "../tests/browser/lib/form_page.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const { chromium } = createRequire(path.join(here, "../tests/browser/package.json"))("playwright-core");

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const walkLink = option("walk");
const paintLink = option("paint");
const runs = Number(option("runs", "5"));
if (!walkLink || !paintLink) throw new Error("--walk LINK --paint LINK");
const PAGES = 6;
// Chrome DevTools' "Slow 3G" (400 ms, 400 kbit/s each way).
// The throttled 3G profiles: the request latency CDP adds to every request,
// and the bytes per second each way.
const PROFILES = [
  // Chrome DevTools' "Slow 3G" throughput (400 kbit/s each way) at 400 ms.
  { name: "Slow 3G (400 ms, 400 kbit/s each way)", offline: false, latency: 400, downloadThroughput: 50000, uploadThroughput: 50000 },
  // WebPageTest's "3G": 300 ms RTT, 1.6 Mbit/s down, 768 kbit/s up.
  { name: "3G (300 ms, 1.6 Mbit/s down, 768 kbit/s up)", offline: false, latency: 300, downloadThroughput: 200000, uploadThroughput: 96000 },
];
const CPU_SLOWDOWN = 4;

async function sizes(link) {
  const out = [];
  for (let k = 1; k <= PAGES; k++) {
    const r = await fetch(`${link}&page=${k}`);
    if (r.status !== 200) throw new Error(`page ${k}: ${r.status}`);
    const body = Buffer.from(await r.arrayBuffer());
    const progress = body.toString("utf8").match(/<p id="sipas-progress">([^<]*)</);
    if (!progress) throw new Error(`page ${k}: no progress line`);
    // A page that does not apply to the answers so far (section C before q8_4
    // is answered) is skipped: the server shows the next one.
    if (progress[1] !== `Trang ${k}/${PAGES}`) {
      out.push({ page: k, bytes: `skipped (${progress[1]})`, gzip: "" });
      continue;
    }
    out.push({ page: k, bytes: body.length, gzip: gzipSync(body, { level: 6 }).length });
  }
  return out;
}

// Every shown radio group's first answer, "x" in required text boxes, then next.
async function walk(browser, link) {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  await page.goto(link, { waitUntil: "load" });
  for (let k = 1; k < PAGES; k++) {
    const todo = await page.evaluate(() => {
      const groups = new Map(), texts = [];
      for (const e of document.getElementById("sipas-form").elements) {
        const item = e.name && !e.name.startsWith("_") && !e.disabled ? e.closest("[data-item]") : null;
        if (!item || !item.checkVisibility()) continue;
        if (e.type === "radio" && !groups.has(e.name)) groups.set(e.name, e.value);
        else if ((e.type === "text" || e.tagName === "TEXTAREA") && item.querySelector(".required-mark")) texts.push(e.name);
      }
      return { radios: [...groups], texts };
    });
    for (const [name, value] of todo.radios) await choose(page, name, value);
    for (const name of todo.texts) await page.locator(`[name="${name}"]`).fill("x");
    await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click('button[value="next"]')]);
    const at = await page.locator('input[name="_page"]').getAttribute("value");
    if (at !== String(k + 1)) throw new Error(`next from page ${k} gave page ${at}`);
  }
  await context.close();
}

async function firstPaint(browser, link, profile) {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const { name, ...conditions } = profile;
  await cdp.send("Network.emulateNetworkConditions", conditions);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });
  await page.goto(`${link}&page=1`, { waitUntil: "load", timeout: 120000 });
  const t = await page.evaluate(() => {
    const fcp = performance.getEntriesByName("first-contentful-paint")[0];
    const nav = performance.getEntriesByType("navigation")[0];
    return { fcp: fcp ? fcp.startTime : null, load: nav ? nav.loadEventEnd : null };
  });
  await context.close();
  if (t.fcp === null) throw new Error("no first-contentful-paint entry");
  return t;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
try {
  const blank = await sizes(walkLink);
  await walk(browser, walkLink);
  const answered = await sizes(walkLink);
  console.log("\n| page | blank bytes | blank gzip | answered bytes | answered gzip |");
  console.log("| ---: | ---: | ---: | ---: | ---: |");
  for (let i = 0; i < PAGES; i++) {
    console.log(`| ${i + 1} | ${blank[i].bytes} | ${blank[i].gzip} | ${answered[i].bytes} | ${answered[i].gzip} |`);
  }
  const ms = (x) => `${Math.round(x)} ms`;
  for (const profile of PROFILES) {
    const times = [];
    for (let r = 0; r < runs; r++) times.push(await firstPaint(browser, paintLink, profile));
    const fcp = times.map((t) => t.fcp), load = times.map((t) => t.load);
    console.log(`\npage 1, ${profile.name} + CPU ${CPU_SLOWDOWN}x, 390 px, ${runs} runs (fresh context each):`);
    console.log(`  first-contentful-paint: median ${ms(median(fcp))}, max ${ms(Math.max(...fcp))}  [${fcp.map(ms).join(", ")}]`);
    console.log(`  load event end:         median ${ms(median(load))}, max ${ms(Math.max(...load))}  [${load.map(ms).join(", ")}]`);
  }
} finally {
  await browser.close();
}
