#!/usr/bin/env node
// spec.bodies: validates every body musubi-sim spooled ($MUSUBI_SPEC_SPOOL, see
// tests/sim/README.md) against LINE's OpenAPI specification: requests by the schema of their
// operation's requestBody (found from the specification's `paths`), webhook bodies against
// webhook.yml's CallbackRequest.
//
//   node check-spool.mjs [--spec DIR] SPOOL_DIR
//
// Prints how many bodies of each kind it checked, then each invalid body's file with ajv's
// error paths. Exit 0: all valid; 1: an invalid body, or no body at all (a check that has
// nothing to check proves nothing); 2: usage; 77: the specification is not there (skipped).

import { readdirSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { Spec, findSpecDir } from "./spec.mjs";

// `<process>-<seq>-<what>.json`; what = `webhook` or METHOD + percent-encoded path.
export function parseSpoolName(name) {
  const match = /^([^-]+)-(\d+)-(.+)\.json$/.exec(name);
  if (!match) {
    return null;
  }
  const what = match[3];
  if (what === "webhook") {
    return { webhook: true };
  }
  const method = /^[A-Z]+/.exec(what)?.[0];
  if (!method) {
    return null;
  }
  try {
    return { webhook: false, method, path: decodeURIComponent(what.slice(method.length)) };
  } catch {
    return null;
  }
}

// → {counts: Map(kind → n), invalid: [{file, kind, errors}], unreadable: [file], partial: n}
export function checkSpool(spec, folder) {
  const counts = new Map();
  const invalid = [];
  const unreadable = [];
  let partial = 0;
  for (const name of readdirSync(folder).sort()) {
    if (name.endsWith(".tmp")) {
      ++partial; // a body being written, or cut off when its simulator was killed
      continue;
    }
    const target = parseSpoolName(name);
    if (!target) {
      unreadable.push(name);
      continue;
    }
    const raw = readFileSync(path.join(folder, name), "utf8");
    const result = target.webhook
      ? spec.checkWebhook(raw)
      : spec.checkRequest(target.method, target.path, raw);
    counts.set(result.kind, (counts.get(result.kind) ?? 0) + 1);
    if (!result.ok) {
      invalid.push({ file: name, kind: result.kind, errors: result.errors });
    }
  }
  return { counts, invalid, unreadable, partial };
}

function main(argv) {
  let specDir = null;
  const rest = [];
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === "--spec") {
      specDir = argv[++i];
    } else {
      rest.push(argv[i]);
    }
  }
  if (rest.length !== 1) {
    console.error("usage: check-spool.mjs [--spec DIR] SPOOL_DIR");
    return 2;
  }
  const folder = rest[0];
  specDir = specDir || findSpecDir();
  if (!specDir || !existsSync(path.join(specDir, "messaging-api.yml"))) {
    console.log(`spec.bodies: skipped: LINE's OpenAPI specification is not at ${specDir ??
      "../shared/platform/line-openapi"} (set MUSUBI_LINE_OPENAPI)`);
    return 77;
  }
  if (!existsSync(folder)) {
    console.log(`spec.bodies: FAILED: no spool folder ${folder}: no test ran with ` +
      "MUSUBI_SPEC_SPOOL set, so nothing was checked");
    return 1;
  }
  const spec = new Spec(specDir);
  const { counts, invalid, unreadable, partial } = checkSpool(spec, folder);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  console.log(`spec.bodies: ${total} bodies from ${folder} checked against ${specDir}`);
  const width = Math.max(0, ...[...counts.keys()].map((k) => k.length));
  for (const [kind, n] of [...counts.entries()].sort((a, b) => b[1] - a[1])) {
    console.log(`  ${kind.padEnd(width)}  ${String(n).padStart(7)}`);
  }
  if (partial > 0) {
    console.log(`  (${partial} unfinished .tmp files ignored: a simulator stopped mid-write)`);
  }
  for (const name of unreadable) {
    console.log(`spec.bodies: not a spool file name: ${name}`);
  }
  for (const { file, kind, errors } of invalid) {
    console.log(`INVALID ${path.join(folder, file)} (${kind}):`);
    for (const error of errors) {
      console.log(`  ${error.path || "(body)"}: ${error.message}` +
        (error.schemaPath ? `  [${error.schemaPath}]` : ""));
    }
  }
  if (total === 0) {
    console.log("spec.bodies: FAILED: no body was spooled, so nothing was checked");
    return 1;
  }
  if (invalid.length > 0 || unreadable.length > 0) {
    console.log(`spec.bodies: FAILED: ${invalid.length} of ${total} bodies break the ` +
      "specification");
    return 1;
  }
  console.log(`spec.bodies: ${total} passed, 0 failed`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.exitCode = main(process.argv.slice(2));
}
