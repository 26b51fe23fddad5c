// A minimal Chrome DevTools Protocol client over a hand-written WebSocket (RFC 6455: masked
// client frames, unmasked server frames, fragments, ping), so the browser test needs nothing
// beyond Node's standard library.

import crypto from 'node:crypto';
import net from 'node:net';

function frame(text) {
  const payload = Buffer.from(text, 'utf8');
  const mask = crypto.randomBytes(4);
  let header;
  if (payload.length < 126) {
    header = Buffer.from([0x81, 0x80 | payload.length]);
  } else if (payload.length < 65536) {
    header = Buffer.alloc(4);
    header[0] = 0x81;
    header[1] = 0x80 | 126;
    header.writeUInt16BE(payload.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x81;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  for (let i = 0; i < payload.length; ++i) payload[i] ^= mask[i % 4];
  return Buffer.concat([header, mask, payload]);
}

export async function connect(wsUrl) {
  const url = new URL(wsUrl);
  const socket = net.connect(Number(url.port), url.hostname);
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const key = crypto.randomBytes(16).toString('base64');
  socket.write(`GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\n` +
               `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);

  let buffer = Buffer.alloc(0);
  let upgraded = false;
  let fragments = [];
  let nextId = 1;
  const pending = new Map();
  const listeners = [];
  let onUpgrade;
  const upgradedPromise = new Promise((resolve, reject) => { onUpgrade = { resolve, reject }; });

  function dispatch(text) {
    const message = JSON.parse(text);
    if (message.id !== undefined && pending.has(message.id)) {
      const { resolve, reject, method } = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) reject(new Error(`${method}: ${JSON.stringify(message.error)}`));
      else resolve(message.result);
      return;
    }
    for (const listener of [...listeners]) listener(message);
  }

  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    if (!upgraded) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffer.subarray(0, end).toString();
      if (!head.startsWith('HTTP/1.1 101')) {
        onUpgrade.reject(new Error(`WebSocket upgrade refused: ${head.split('\r\n')[0]}`));
        return;
      }
      upgraded = true;
      buffer = buffer.subarray(end + 4);
      onUpgrade.resolve();
    }
    while (buffer.length >= 2) {
      const fin = (buffer[0] & 0x80) !== 0;
      const opcode = buffer[0] & 0x0f;
      let length = buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) return;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return;
        length = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (buffer.length < offset + length) return;
      const payload = buffer.subarray(offset, offset + length);
      buffer = buffer.subarray(offset + length);
      if (opcode === 0x9) {
        socket.write(Buffer.concat([Buffer.from([0x8a, 0x80]), crypto.randomBytes(4)]));
      } else if (opcode === 0x1 || opcode === 0x0) {
        fragments.push(payload);
        if (fin) {
          const text = Buffer.concat(fragments).toString('utf8');
          fragments = [];
          dispatch(text);
        }
      }
    }
  });
  await upgradedPromise;

  return {
    call(method, params = {}) {
      const id = nextId++;
      socket.write(frame(JSON.stringify({ id, method, params })));
      return new Promise((resolve, reject) => pending.set(id, { resolve, reject, method }));
    },
    // Resolves with the first event named `method` (seen after this call).
    waitFor(method, timeoutMs = 15000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${method} within ${timeoutMs} ms`)),
                                 timeoutMs);
        const listener = (message) => {
          if (message.method === method) {
            clearTimeout(timer);
            listeners.splice(listeners.indexOf(listener), 1);
            resolve(message.params);
          }
        };
        listeners.push(listener);
      });
    },
    close() { socket.destroy(); },
  };
}
