// Opens the admin status page in headless Chromium as an operator would: the browser meets
// the 401 Basic challenge and answers it with the admin token as the password (given in the
// URL, as a saved login would). Reads every data-metric element, checks each number against
// /status.json (fetched with the bearer token), saves a full-page screenshot, and writes what
// the page showed to a JSON file for the shell test to compare with the ledger and the store.
//
//   node status_page.mjs <devtools port> <page url> <admin token> <screenshot folder> <out.json>

import fs from 'node:fs';
import path from 'node:path';

import { connect } from './cdp.mjs';

const [port, pageUrl, token, folder, outFile] = process.argv.slice(2);

async function pageTarget() {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const page = targets.find((target) => target.type === 'page');
  if (!page) throw new Error('Chromium has no page open');
  return page.webSocketDebuggerUrl;
}

async function evaluate(cdp, expression) {
  const { result, exceptionDetails } =
    await cdp.call('Runtime.evaluate', { expression, returnByValue: true });
  if (exceptionDetails) throw new Error(`${expression}: ${exceptionDetails.text}`);
  return result.value;
}

// name → value, or name → {key → value} for keyed metrics; every copy must agree.
function collect(elements) {
  const shown = {};
  for (const [name, key, text] of elements) {
    const value = text.trim();
    if (key === '') {
      if (name in shown && shown[name] !== value) {
        throw new Error(`${name} is shown as both ${shown[name]} and ${value}`);
      }
      shown[name] = value;
    } else {
      shown[name] ??= {};
      if (key in shown[name] && shown[name][key] !== value) {
        throw new Error(`${name}[${key}] is shown as both ${shown[name][key]} and ${value}`);
      }
      shown[name][key] = value;
    }
  }
  return shown;
}

// The page's numbers against /status.json's.
function compare(shown, json) {
  const checks = [
    ['sends.delivered.this_hour', json.sends.this_hour.delivered],
    ['sends.failed.this_hour', json.sends.this_hour.failed],
    ['sends.delivered.48h', json.sends.last_48h.delivered],
    ['sends.failed.48h', json.sends.last_48h.failed],
    ['sends.skipped.48h', json.sends.last_48h.skipped],
    ['failures.total', json.failures.total],
    ['outbox.pending', json.outbox.pending],
    ['outbox.sending', json.outbox.sending],
    ['outbox.due_now', json.outbox.due_now],
    ['friends.following', json.friends.following],
    ['friends.blocked', json.friends.blocked],
    ['friends.linked', json.friends.linked],
    ['friends.link_rate_percent', json.friends.link_rate_percent],
    ['links.14d', json.friends.links_14d],
  ];
  if (json.license.days_left !== null) checks.push(['license.days_left', json.license.days_left]);
  for (const [name, expected] of checks) {
    if (shown[name] !== String(expected)) {
      throw new Error(`the page shows ${name} = ${shown[name]}, /status.json says ${expected}`);
    }
  }
  for (const funnel of json.funnels) {
    for (const field of ['enrolled', 'active', 'done', 'cancelled', 'ended']) {
      const value = shown[`funnel.${field}`]?.[funnel.scenario];
      if (value !== String(funnel[field])) {
        throw new Error(`the page shows ${funnel.scenario} ${field} = ${value}, ` +
                        `/status.json says ${funnel[field]}`);
      }
    }
    for (const step of funnel.steps) {
      const key = `${funnel.scenario}/${step.step}`;
      for (const field of ['reached', 'sent', 'waiting']) {
        const value = shown[`funnel.step.${field}`]?.[key];
        if (value !== String(step[field])) {
          throw new Error(`the page shows ${key} ${field} = ${value}, /status.json says ${step[field]}`);
        }
      }
    }
  }
  for (const hour of json.sends.hours) {
    const key = hour.hour_jst.replace(' ', 'T');
    if (shown['sends.hour.delivered']?.[key] !== String(hour.delivered)) {
      throw new Error(`hour ${key}: the page shows ${shown['sends.hour.delivered']?.[key]} ` +
                      `sends, /status.json says ${hour.delivered}`);
    }
  }
}

const cdp = await connect(await pageTarget());
try {
  await cdp.call('Page.enable');
  await cdp.call('Emulation.setDeviceMetricsOverride',
                 { width: 1100, height: 900, deviceScaleFactor: 1, mobile: false });

  const withLogin = new URL(pageUrl);
  withLogin.username = 'operator';
  withLogin.password = token;
  const loaded = cdp.waitFor('Page.loadEventFired');
  await cdp.call('Page.navigate', { url: withLogin.href });
  await loaded;
  const title = await evaluate(cdp, 'document.title');
  if (!title.startsWith('稼働状況')) throw new Error(`unexpected page title: ${title}`);

  const elements = await evaluate(cdp, `[...document.querySelectorAll('[data-metric]')]
      .map((e) => [e.dataset.metric, e.dataset.key ?? '', e.textContent])`);
  const shown = collect(elements);
  const answer = await fetch(new URL('/status.json', pageUrl),
                             { headers: { Authorization: `Bearer ${token}` } });
  if (answer.status !== 200) throw new Error(`/status.json answered ${answer.status}`);
  const json = await answer.json();
  compare(shown, json);

  // The whole page in one picture.
  const { cssContentSize } = await cdp.call('Page.getLayoutMetrics');
  await cdp.call('Emulation.setDeviceMetricsOverride', {
    width: 1100, height: Math.ceil(cssContentSize.height), deviceScaleFactor: 1, mobile: false,
  });
  const { data } = await cdp.call('Page.captureScreenshot',
                                  { format: 'png', captureBeyondViewport: true });
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'status_page.png'), Buffer.from(data, 'base64'));

  const fonts = await evaluate(cdp, `document.fonts.check('16px "Noto Sans CJK JP"')`);
  fs.writeFileSync(outFile, JSON.stringify({ shown, json, fonts }, null, 2));
  console.log(`the page shows ${elements.length} numbers, all equal to /status.json`);
} finally {
  cdp.close();
}
