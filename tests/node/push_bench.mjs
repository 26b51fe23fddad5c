// Benchmark (not a test): the official @line/bot-sdk pushing messages to musubi-sim, for
// comparison with musubi's dispatcher (tests/bench/dispatch/). Same messages, same simulator,
// a fresh retry key each, `concurrency` pushes in flight, paced at `rate` per second so that
// the simulator's 2,000/s limit is not hit. Prints one JSON line with the CPU time of the
// pushing phase (process.cpuUsage(), so module loading is not counted).
//   node push_bench.mjs --api http://127.0.0.1:PORT --count 20000 --friends 100 \
//        [--concurrency 8] [--rate 2000] [--prefix sdk]

import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { HTTPFetchError, messagingApi } from "@line/bot-sdk";

function args() {
  const options = { api: "", count: 20000, friends: 100, concurrency: 8, rate: 2000, prefix: "sdk" };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, "");
    if (!(key in options)) {
      throw new Error(`unknown option --${key}; valid: ${Object.keys(options).join(", ")}`);
    }
    options[key] = typeof options[key] === "number" ? Number(argv[i + 1]) : argv[i + 1];
  }
  if (!options.api) {
    throw new Error("--api http://127.0.0.1:PORT is required");
  }
  return options;
}

// "U" + 32 hex digits, as the C++ benchmark names the simulator's friends.
function userId(n) {
  return "U" + n.toString(16).padStart(32, "0");
}

async function main() {
  const options = args();
  const client = new messagingApi.MessagingApiClient({
    channelAccessToken: "musubi-sim-token", baseURL: options.api });
  let next = 0;
  let ok = 0;
  let failed = 0;
  const statuses = {};
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  async function worker() {
    while (true) {
      const i = next++;
      if (i >= options.count) {
        return;
      }
      // Pacing: message i goes no earlier than i / rate seconds after the start.
      const due = started + (i * 1000) / options.rate;
      const wait = due - performance.now();
      if (wait > 1) {
        await sleep(wait);
      }
      const friend = (i % options.friends) + 1;
      const text = `${options.prefix} ${friend}-${Math.floor(i / options.friends) + 1}`;
      try {
        await client.pushMessage({ to: userId(friend), messages: [{ type: "text", text }] },
          randomUUID());
        ++ok;
      } catch (error) {
        ++failed;
        const status = error instanceof HTTPFetchError ? error.status : String(error);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  console.log(JSON.stringify({
    count: options.count, ok, failed, statuses, wall_ms: Math.round(wallMs),
    cpu_user_us: cpu.user, cpu_system_us: cpu.system }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
