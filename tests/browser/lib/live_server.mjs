// What the live browser tests share (form_live.mjs, form_pages.mjs): their
// command-line options, a real `sipas serve` on a free loopback port, the
// admin API, and the links CSV it returns.

import { execFileSync, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import net from "node:net";
import path from "node:path";

// The --out folder (a new temporary one when not given), and in it a fresh
// folder for the server: its key file (mode 0600) and a database with the
// survey "demo" on the SIPAS citizen form. `name` is the script's.
export async function prepareServerFolder(sipas, name, { manager, analyst }) {
  const out = option("out", null) || (await mkdtemp(path.join(tmpdir(), `sipas-${name}-`)));
  await mkdir(out, { recursive: true });
  const work = await mkdtemp(path.join(out, "server-"));
  const db = path.join(work, "survey.db");
  await writeFile(path.join(work, "keys"), `# ${name}.mjs\nmanager ${manager}\nanalyst ${analyst}\n`, {
    mode: 0o600,
  });
  execFileSync(sipas, ["survey", "create", "--db", db, "--survey", "demo", "--standard", "sipas-citizen"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  return { out, work, db };
}

export function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

// Starts `sipas serve` on a free port; resolves once it prints its address.
// `listen` and `publicUrl` replace the defaults (any free port, links to
// http://127.0.0.1) when a test opens the links the server writes; `extra`
// are more options of `sipas serve`.
export function startServer(sipas, dir, { listen = "127.0.0.1:0", publicUrl = "http://127.0.0.1", extra = [] } = {}) {
  const log = createWriteStream(path.join(dir, "server.log"));
  const child = spawn(
    sipas,
    [
      "serve",
      "--db", path.join(dir, "survey.db"),
      "--listen", listen,
      "--admin-key-file", path.join(dir, "keys"),
      "--public-url", publicUrl,
      "--threads", "2",
      "--create-db",
      ...extra,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  child.stderr.on("data", (d) => log.write(d));
  const ready = new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`no "listening on" line in 60 s:\n${seen}`)), 60000);
    child.stdout.on("data", (d) => {
      log.write(d);
      seen += d.toString();
      const m = seen.match(/listening on (http:\/\/127\.0\.0\.1:(\d+))/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`sipas serve exited (${code ?? signal}) before listening:\n${seen}`));
    });
  });
  return { child, ready, exited };
}

export async function api(base, method, route, { key, body, type } = {}) {
  const headers = {};
  if (key) headers.Authorization = `Bearer ${key}`;
  if (type) headers["Content-Type"] = type;
  const r = await fetch(base + route, { method, headers, body, redirect: "manual" });
  return { status: r.status, text: await r.text(), headers: r.headers };
}

// Enough CSV for the links file: quoted fields, no newlines inside them.
export function parseCsv(text) {
  const rows = text.trim().split(/\r?\n/).map((line) => {
    const out = [];
    let cur = "", quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
        else if (c === '"') quoted = false;
        else cur += c;
      } else if (c === '"') quoted = true;
      else if (c === ",") { out.push(cur); cur = ""; }
      else cur += c;
    }
    out.push(cur);
    return out;
  });
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

// A loopback port free now (the kernel's choice, released at once), for a
// server whose public URL must name its port before it starts.
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
