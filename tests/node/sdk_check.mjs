// it.sim_line_sdk: the official LINE Node.js SDK (@line/bot-sdk) against musubi-sim.
// Starts the simulator (path in $MUSUBI_SIM) on port 0, then pushes, multicasts, validates,
// creates a rich menu, uploads its image to the data port, links it, and checks that a retry
// with the same key gets 409 — and that the simulator's webhook signature satisfies the SDK.
// Exits non-zero on the first failed assertion.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { HTTPFetchError, messagingApi, validateSignature } from "@line/bot-sdk";

const token = "musubi-sim-token";
const secret = "8c570fa6dd201bb328f1c1eac23a96d8";
const tanaka = "U0123456789abcdef0123456789abcdef";
const sato = "Ufedcba9876543210fedcba9876543210";

async function startSimulator(dir) {
  const binary = process.env.MUSUBI_SIM;
  assert.ok(binary, "MUSUBI_SIM must name the musubi-sim binary");
  const scenario = join(dir, "scenario.yaml");
  writeFileSync(scenario, `line:\n  bulk_delay: 10ms\n  friends:\n` +
    `    - {userId: ${tanaka}, displayName: 田中}\n    - {userId: ${sato}, displayName: 佐藤}\n`);
  const portFile = join(dir, "port");
  const child = spawn(binary, ["--scenario", scenario, "--listen", "127.0.0.1:0",
    "--data-listen", "127.0.0.1:0", "--port-file", portFile], { stdio: ["ignore", "ignore", "inherit"] });
  for (let i = 0; i < 500; ++i) {
    if (existsSync(portFile)) {
      const [api, data] = readFileSync(portFile, "utf8").trim().split("\n").map(Number);
      return { child, api, data };
    }
    if (child.exitCode !== null) {
      throw new Error(`musubi-sim exited with ${child.exitCode}`);
    }
    await sleep(10);
  }
  throw new Error("musubi-sim did not write its port file");
}

// A PNG header with the given size: the simulator reads dimensions from IHDR.
function png(width, height) {
  const bytes = Buffer.alloc(33 + 64);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes, 0);
  bytes.writeUInt32BE(13, 8);
  bytes.write("IHDR", 12, "ascii");
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  return bytes;
}

async function expectHttpError(promise, status) {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HTTPFetchError, `expected HTTPFetchError, got ${error}`);
    assert.equal(error.status, status, error.body);
    return error;
  }
  assert.fail(`expected HTTP ${status}`);
}

async function ledger(base, userId) {
  const response = await fetch(`${base}/_sim/line/ledger/${userId}`);
  assert.equal(response.status, 200);
  return response.json();
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "musubi-sdk-"));
  const sim = await startSimulator(dir);
  const base = `http://127.0.0.1:${sim.api}`;
  try {
    const client = new messagingApi.MessagingApiClient({ channelAccessToken: token, baseURL: base });
    const blob = new messagingApi.MessagingApiBlobClient({
      channelAccessToken: token, baseURL: `http://127.0.0.1:${sim.data}` });

    // push, then the same retry key again: 409 with the accepted request id.
    const key = "6f2c5b1e-0d3a-4c8e-9b7f-2a1d4e5f6a7b";
    const pushed = await client.pushMessageWithHttpInfo(
      { to: tanaka, messages: [{ type: "text", text: "ご注文ありがとうございます 🎁" }] }, key);
    assert.equal(pushed.httpResponse.status, 200);
    assert.equal(pushed.body.sentMessages.length, 1);
    assert.equal(typeof pushed.body.sentMessages[0].id, "string");
    const requestId = pushed.httpResponse.headers.get("x-line-request-id");
    const repeat = await expectHttpError(client.pushMessage(
      { to: tanaka, messages: [{ type: "text", text: "ご注文ありがとうございます 🎁" }] }, key), 409);
    assert.equal(repeat.headers.get("x-line-accepted-request-id"), requestId);
    assert.deepEqual(JSON.parse(repeat.body), {
      message: "The retry key is already accepted", sentMessages: pushed.body.sentMessages });

    // multicast to both friends.
    const multicast = await client.multicastWithHttpInfo(
      { to: [tanaka, sato], messages: [{ type: "text", text: "セールのお知らせ" }] },
      "0b9d8c7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e");
    assert.equal(multicast.httpResponse.status, 200);
    assert.deepEqual(multicast.body, {});

    // validate: a good message passes, a 5001-unit text gets LINE's 400 with details.
    assert.deepEqual(await client.validatePush({ messages: [{ type: "text", text: "ok" }] }), {});
    const invalid = await expectHttpError(
      client.validatePush({ messages: [{ type: "text", text: "a".repeat(5001) }] }), 400);
    assert.deepEqual(JSON.parse(invalid.body), {
      message: "The request body has 1 error(s)",
      details: [{ message: "Length must be between 0 and 5000", property: "messages[0].text" }] });

    // rich menu: create, upload the image to the data host, link to a user, bulk link.
    const { richMenuId } = await client.createRichMenu({
      size: { width: 2500, height: 843 }, selected: true, name: "linked", chatBarText: "メニュー",
      areas: [{ bounds: { x: 0, y: 0, width: 2500, height: 843 },
        action: { type: "postback", label: "注文", data: "menu=orders" } }] });
    assert.match(richMenuId, /^richmenu-[0-9a-f]{32}$/);
    await blob.setRichMenuImage(richMenuId, new Blob([png(2500, 843)], { type: "image/png" }));
    await client.linkRichMenuIdToUser(tanaka, richMenuId);
    assert.deepEqual(await client.getRichMenuIdOfUser(tanaka), { richMenuId });
    const bulk = await client.linkRichMenuIdToUsersWithHttpInfo({ richMenuId, userIds: [sato] });
    assert.equal(bulk.httpResponse.status, 202);
    await sleep(100);
    assert.equal((await ledger(base, sato)).rich_menu.linked, richMenuId);

    // What the friends actually received.
    const received = await ledger(base, tanaka);
    assert.deepEqual(received.deliveries.map((d) => [d.endpoint, d.message.text, d.retry_key]), [
      ["push", "ご注文ありがとうございます 🎁", key],
      ["multicast", "セールのお知らせ", "0b9d8c7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e"]]);
    assert.equal(received.duplicate_deliveries, 0);
    assert.equal(received.rich_menu.linked, richMenuId);

    // The simulator's webhook signature is what the SDK's own check accepts.
    const bodies = [];
    const receiver = createServer((request, response) => {
      const chunks = [];
      request.on("data", (chunk) => chunks.push(chunk));
      request.on("end", () => {
        bodies.push({ body: Buffer.concat(chunks).toString("utf8"),
          signature: request.headers["x-line-signature"] });
        response.writeHead(200).end("{}");
      });
    });
    await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${receiver.address().port}/webhook`;
    await fetch(`${base}/_sim/line/config`, { method: "POST", body: JSON.stringify({ webhook_url: url }) });
    const follow = await fetch(`${base}/_sim/line/friends/${tanaka}/text`,
      { method: "POST", body: JSON.stringify({ text: "5678" }) });
    assert.equal(follow.status, 200);
    receiver.close();
    assert.equal(bodies.length, 1);
    assert.ok(validateSignature(bodies[0].body, secret, bodies[0].signature));
    assert.equal(JSON.parse(bodies[0].body).events[0].message.text, "5678");
    console.log("it.sim_line_sdk: @line/bot-sdk push, multicast, validate, rich menu, 409: ok");
  } finally {
    sim.child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
