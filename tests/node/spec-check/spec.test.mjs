// spec.checker: the spec check's own tests (node:test; run as `node spec.test.mjs`). They prove that the checker can fail:
// an unknown `type`, a flex button whose `uri` is empty and a missing required subtype field
// are each refused with the path of the broken member, valid bodies pass, and the spool
// reader maps each file to the right schema. Exit 77 (skipped) without the specification.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { Spec, findSpecDir } from "./spec.mjs";
import { parseSpoolName } from "./check-spool.mjs";

const specDir = findSpecDir();
const skip = specDir ? false : "LINE's OpenAPI specification not found (MUSUBI_LINE_OPENAPI)";
if (!specDir) {
  process.exitCode = 77; // CTest: skipped, not passed
}
const spec = specDir ? new Spec(specDir) : null;
const here = path.dirname(fileURLToPath(import.meta.url));

const USER = "U0123456789abcdef0123456789abcdef";
const BOT = "U8e742f61d673b39c7fff3cecb7536ef0";

const push = (messages) =>
  spec.checkRequest("POST", "/v2/bot/message/push", JSON.stringify({ to: USER, messages }));
const flexButton = (action) => ({
  type: "flex",
  altText: "ご注文ありがとうございます",
  contents: {
    type: "bubble",
    body: {
      type: "box",
      layout: "vertical",
      contents: [{ type: "text", text: "注文番号 123" }, { type: "button", action }],
    },
  },
});
const webhook = (...events) => spec.checkWebhook(JSON.stringify({ destination: BOT, events }));
const event = (type, extra) => ({
  type,
  mode: "active",
  timestamp: 1795309506000,
  source: { type: "user", userId: USER },
  webhookEventId: "01JD0000000000000000000000",
  deliveryContext: { isRedelivery: false },
  ...extra,
});

// The failure names the member that broke the rule.
function assertRefused(result, instancePath, pattern) {
  assert.equal(result.ok, false, `expected a refusal at ${instancePath}`);
  const hit = result.errors.find((e) => e.path === instancePath && pattern.test(e.message));
  assert.ok(hit, `no error at ${instancePath} matching ${pattern}: ${JSON.stringify(result.errors)}`);
}

test("valid request bodies pass", { skip }, () => {
  const cases = [
    push([{ type: "text", text: "こんにちは" }]),
    push([flexButton({ type: "uri", label: "注文を見る", uri: "https://shop.example/o/123" })]),
    push([{
      type: "template",
      altText: "確認",
      template: {
        type: "buttons",
        text: "ご確認ください",
        actions: [{ type: "postback", label: "はい", data: "" }, { type: "message", label: "いいえ", text: "いいえ" }],
      },
      quickReply: { items: [{ type: "action", action: { type: "camera", label: "カメラ" } }] },
    }]),
    spec.checkRequest("POST", "/v2/bot/message/multicast",
      JSON.stringify({ to: [USER], messages: [{ type: "text", text: "セール" }] })),
    spec.checkRequest("POST", "/v2/bot/message/reply",
      JSON.stringify({ replyToken: "abc", messages: [{ type: "image",
        originalContentUrl: "https://shop.example/a.png", previewImageUrl: "https://shop.example/p.png" }] })),
    spec.checkRequest("POST", "/v2/bot/richmenu", JSON.stringify({
      size: { width: 2500, height: 843 }, selected: true, name: "linked", chatBarText: "メニュー",
      areas: [{ bounds: { x: 0, y: 0, width: 1250, height: 843 },
                action: { type: "richmenuswitch", richMenuAliasId: "vip", data: "switch" } }],
    })),
    spec.checkRequest("POST", "/v2/bot/richmenu/bulk/link",
      JSON.stringify({ richMenuId: "richmenu-0", userIds: [USER] })),
    spec.checkRequest("POST", "/v2/bot/richmenu/bulk/unlink", JSON.stringify({ userIds: [USER] })),
    spec.checkRequest("POST", "/v2/bot/richmenu/alias",
      JSON.stringify({ richMenuAliasId: "vip_1", richMenuId: "richmenu-0" })),
    spec.checkRequest("POST", "/v2/bot/richmenu/alias/vip_1", JSON.stringify({ richMenuId: "richmenu-1" })),
    spec.checkRequest("POST", "/v2/bot/message/validate/push",
      JSON.stringify({ messages: [{ type: "text", text: "x" }] })),
    spec.checkRequest("POST", `/v2/bot/user/${USER}/linkToken`, ""),
  ];
  for (const result of cases) {
    assert.deepEqual(result.errors, []);
    assert.equal(result.ok, true);
  }
});

test("each request path maps to the schema the specification names", { skip }, () => {
  const kind = (method, p, body = "{}") => spec.checkRequest(method, p, body).kind;
  assert.equal(kind("POST", "/v2/bot/message/push"), "PushMessageRequest");
  assert.equal(kind("POST", "/v2/bot/message/multicast"), "MulticastRequest");
  assert.equal(kind("POST", "/v2/bot/message/reply"), "ReplyMessageRequest");
  assert.equal(kind("POST", "/v2/bot/message/validate/push"), "ValidateMessageRequest");
  assert.equal(kind("POST", "/v2/bot/richmenu"), "RichMenuRequest");
  assert.equal(kind("POST", "/v2/bot/richmenu/validate"), "RichMenuRequest");
  assert.equal(kind("POST", "/v2/bot/richmenu/bulk/link"), "RichMenuBulkLinkRequest");
  assert.equal(kind("POST", "/v2/bot/richmenu/bulk/unlink"), "RichMenuBulkUnlinkRequest");
  assert.equal(kind("POST", "/v2/bot/richmenu/alias"), "CreateRichMenuAliasRequest");
  assert.equal(kind("POST", "/v2/bot/richmenu/alias/vip"), "UpdateRichMenuAliasRequest");
  assert.equal(kind("POST", "/v2/bot/user/all/richmenu/richmenu-0", ""),
    "POST /v2/bot/user/all/richmenu/{richMenuId} (no body)");
  assertRefused(spec.checkRequest("POST", "/v2/bot/message/nowhere", "{}"), "",
    /no such operation/);
  assertRefused(spec.checkRequest("POST", "/v2/bot/message/push", ""), "", /required/);
});

test("an unknown type fails: message, action, flex component, template, event", { skip }, () => {
  assertRefused(push([{ type: "txt", text: "x" }]), "/messages/0/type", /allowed values/);
  assertRefused(push([flexButton({ type: "link", label: "x", uri: "https://a.example" })]),
    "/messages/0/contents/body/contents/1/action/type", /allowed values/);
  const flex = flexButton({ type: "uri", label: "x", uri: "https://a.example" });
  flex.contents.body.contents.push({ type: "paragraph", text: "x" });
  assertRefused(push([flex]), "/messages/0/contents/body/contents/2/type", /allowed values/);
  assertRefused(push([{ type: "template", altText: "x", template: { type: "list", text: "x" } }]),
    "/messages/0/template/type", /allowed values/);
  assertRefused(webhook(event("poke", {})), "/events/0/type", /allowed values/);
  // No type at all: the discriminator's property is required.
  assertRefused(push([{ text: "x" }]), "/messages/0", /required property 'type'/);
});

test("a flex button whose uri is empty fails (format: uri)", { skip }, () => {
  const result = push([flexButton({ type: "uri", label: "注文を見る", uri: "" })]);
  assertRefused(result, "/messages/0/contents/body/contents/1/action/uri", /format "uri"/);
  // The same rule in a quick reply and a rich-menu area.
  assertRefused(push([{ type: "text", text: "x",
    quickReply: { items: [{ type: "action", action: { type: "uri", label: "x", uri: "" } }] } }]),
    "/messages/0/quickReply/items/0/action/uri", /format "uri"/);
  assertRefused(spec.checkRequest("POST", "/v2/bot/richmenu", JSON.stringify({
    size: { width: 2500, height: 843 }, selected: false, name: "m", chatBarText: "m",
    areas: [{ bounds: { x: 0, y: 0, width: 10, height: 10 }, action: { type: "uri", uri: "not a uri" } }],
  })), "/areas/0/action/uri", /format "uri"/);
});

test("a missing required subtype field fails (the discriminator selects the subtype)", { skip }, () => {
  assertRefused(push([{ type: "text" }]), "/messages/0", /required property 'text'/);
  assertRefused(push([{ type: "image", originalContentUrl: "https://a.example/a.png" }]),
    "/messages/0", /required property 'previewImageUrl'/);
  assertRefused(push([{ type: "imagemap", altText: "x", baseSize: { width: 1040, height: 1040 }, actions: [] }]),
    "/messages/0", /required property 'baseUrl'/);
  assertRefused(push([{ type: "template", altText: "x", template: { type: "buttons", text: "x" } }]),
    "/messages/0/template", /required property 'actions'/);
  assertRefused(push([flexButton({ type: "uri", uri: "https://a.example" })].map((m) => {
    m.contents.body.contents[1] = { type: "button" };
    return m;
  })), "/messages/0/contents/body/contents/1", /required property 'action'/);
  assertRefused(push([{ type: "flex", altText: "x", contents: { type: "bubble",
    body: { type: "box", contents: [] } } }]), "/messages/0/contents/body", /required property 'layout'/);
  assertRefused(webhook(event("message", { replyToken: "r" })), "/events/0", /required property 'message'/);
  assertRefused(webhook(event("message", { replyToken: "r", message: { type: "text", id: "1", text: "x" } })),
    "/events/0/message", /required property 'quoteToken'/);
  assertRefused(webhook(event("accountLink", { link: { result: "maybe", nonce: "n" } })),
    "/events/0/link/result", /allowed values/);
  // A subtype named directly (a carousel's bubbles) carries its own type.
  assertRefused(push([{ type: "flex", altText: "x", contents: { type: "carousel",
    contents: [{ type: "box", layout: "vertical", contents: [] }] } }]),
    "/messages/0/contents/contents/0/type", /constant/);
});

test("webhook bodies pass against CallbackRequest", { skip }, () => {
  const cases = [
    spec.checkWebhook(JSON.stringify({ destination: BOT, events: [] })),
    webhook(event("follow", { replyToken: "r", follow: { isUnblocked: false } })),
    webhook(event("unfollow", {})),
    webhook(event("message", { replyToken: "r",
      message: { type: "text", id: "600000000000000001", quoteToken: "q", text: "注文 123" } })),
    webhook(event("postback", { replyToken: "r", postback: { data: "", params: { status: "SUCCESS" } } })),
    webhook(event("accountLink", { link: { result: "failed", nonce: "n" } })),
    webhook(event("message", { replyToken: "r", source: { type: "group", groupId: "C1", userId: USER },
      message: { type: "text", id: "1", quoteToken: "q", text: "x" } })),
  ];
  for (const result of cases) {
    assert.deepEqual(result.errors, []);
  }
  assertRefused(spec.checkWebhook(JSON.stringify({ destination: "bot", events: [] })),
    "/destination", /pattern|fewer/);
});

test("every requestBody schema of the specification compiles", { skip }, () => {
  let compiled = 0;
  for (const op of spec.operations) {
    const media = op.content ? Object.values(op.content)[0] : null;
    if (media?.schema) {
      assert.equal(typeof spec.schemaOf(media.schema, op.file), "function", op.template);
      ++compiled;
    }
  }
  assert.ok(compiled >= 30, `only ${compiled} request bodies in the specification`);
  assert.equal(typeof spec.validator("CallbackRequest", "webhook.yml"), "function");
});

test("spool file names name the method and the path", () => {
  assert.deepEqual(parseSpoolName("1234.0badc0de-00000007-POST%2Fv2%2Fbot%2Fmessage%2Fpush.json"),
    { webhook: false, method: "POST", path: "/v2/bot/message/push" });
  assert.deepEqual(parseSpoolName("1234.0badc0de-00000008-webhook.json"), { webhook: true });
  assert.equal(parseSpoolName("notes.txt"), null);
});

test("check-spool counts bodies, fails on an invalid one and on none", { skip }, () => {
  const folder = mkdtempSync(path.join(os.tmpdir(), "spec-spool-"));
  const run = () => spawnSync(process.execPath, [path.join(here, "check-spool.mjs"), "--spec", specDir,
    folder], { encoding: "utf8" });
  try {
    const none = run();
    assert.equal(none.status, 1, none.stdout);
    assert.match(none.stdout, /no body was spooled/);

    writeFileSync(path.join(folder, "1.aa-00000001-POST%2Fv2%2Fbot%2Fmessage%2Fpush.json"),
      JSON.stringify({ to: USER, messages: [{ type: "text", text: "x" }] }));
    writeFileSync(path.join(folder, "1.aa-00000002-webhook.json"),
      JSON.stringify({ destination: BOT, events: [] }));
    writeFileSync(path.join(folder, "1.aa-00000003-webhook.json.tmp"), "{");
    const good = run();
    assert.equal(good.status, 0, good.stdout);
    assert.match(good.stdout, /PushMessageRequest +1\n/);
    assert.match(good.stdout, /CallbackRequest +1\n/);
    assert.match(good.stdout, /2 passed, 0 failed/);

    writeFileSync(path.join(folder, "2.bb-00000001-POST%2Fv2%2Fbot%2Fmessage%2Fpush.json"),
      JSON.stringify({ to: USER, messages: [flexButton({ type: "uri", label: "x", uri: "" })] }));
    const bad = run();
    assert.equal(bad.status, 1, bad.stdout);
    assert.match(bad.stdout, /INVALID .*2\.bb-00000001-POST%2Fv2%2Fbot%2Fmessage%2Fpush\.json \(PushMessageRequest\)/);
    assert.match(bad.stdout, /\/messages\/0\/contents\/body\/contents\/1\/action\/uri: must match format "uri"/);
    assert.match(bad.stdout, /1 of 3 bodies break the specification/);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
