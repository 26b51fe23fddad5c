// Drives headless Chromium through the link page as a friend would on a phone: opens the
// page from its signed URL, types the order number (full-width, as Japanese keyboards give
// it) and the phone digits, taps the button, and checks the result page. Saves screenshots of
// the filled form and of the result.
//
//   node link_page.mjs <devtools port> <page url> <screenshot folder> [order digits [name]]
//
// Without an order number it types the link page test's own (full-width); `name` prefixes the
// screenshots (default link_page).

import fs from 'node:fs';
import path from 'node:path';

import { connect } from './cdp.mjs';

const [port, pageUrl, folder, order = '１２３４５６－２０２６１１２２－０００００００００１',
       digits = '5678', name = 'link_page'] = process.argv.slice(2);

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

async function screenshot(cdp, name) {
  const { data } = await cdp.call('Page.captureScreenshot', { format: 'png' });
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, name), Buffer.from(data, 'base64'));
}

async function typeInto(cdp, id, text) {
  await evaluate(cdp, `document.getElementById(${JSON.stringify(id)}).focus()`);
  await cdp.call('Input.insertText', { text });
}

async function tap(cdp, id) {
  const box = await evaluate(cdp, `(() => {
    const r = document.getElementById(${JSON.stringify(id)}).getBoundingClientRect();
    return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
  })()`);
  for (const type of ['mousePressed', 'mouseReleased']) {
    await cdp.call('Input.dispatchMouseEvent',
                   { type, x: box.x, y: box.y, button: 'left', clickCount: 1 });
  }
}

const cdp = await connect(await pageTarget());
try {
  await cdp.call('Page.enable');
  await cdp.call('Emulation.setDeviceMetricsOverride',
                 { width: 390, height: 844, deviceScaleFactor: 2, mobile: true });

  let loaded = cdp.waitFor('Page.loadEventFired');
  await cdp.call('Page.navigate', { url: pageUrl });
  await loaded;
  const title = await evaluate(cdp, 'document.title');
  if (title !== 'ご注文とLINEの連携') throw new Error(`unexpected page title: ${title}`);

  await typeInto(cdp, 'order', order);
  await typeInto(cdp, 'digits', digits);
  await screenshot(cdp, `${name}_form.png`);

  loaded = cdp.waitFor('Page.loadEventFired');
  await tap(cdp, 'submit');
  await loaded;
  const result = await evaluate(cdp, 'document.getElementById("result")?.textContent ?? ""');
  await screenshot(cdp, `${name}.png`);
  if (!result.includes('連携が完了しました')) {
    throw new Error(`the result page says: ${result || '(no result)'}`);
  }
  console.log(`linked in the browser: ${result}`);
} finally {
  cdp.close();
}
