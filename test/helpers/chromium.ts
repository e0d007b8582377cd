/**
 * Drives Debian's headless Chromium through the DevTools protocol over a pipe
 * (`--remote-debugging-pipe`: JSON messages separated by NUL bytes, commands on file descriptor 3,
 * replies and events on 4), so tests and benchmarks can set the viewport, run script in the page,
 * and take screenshots, without a WebSocket client or a browser-automation package. The browser
 * runs with networking off for the page (`--disable-background-networking`, a fresh profile); the
 * report pages under test load nothing anyway (CSP `default-src 'none'`).
 *
 * Every browser started here is killed by its pid in {@link ChromiumPage.close}, also on failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** The Chromium binary, or undefined when none is installed. */
export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => fs.existsSync(p));

type Json = Record<string, unknown>;

/** One page in its own headless browser. */
export interface ChromiumPage {
  /** Evaluates `expression` in the page and returns its (JSON) value; promises are awaited. */
  evaluate<T>(expression: string): Promise<T>;
  /** PNG of the page region (CSS pixels; beyond the viewport allowed). */
  screenshot(clip: { x: number; y: number; width: number; height: number }): Promise<Buffer>;
  /** Console messages and uncaught exceptions seen so far (`level: text`). */
  readonly console: string[];
  close(): Promise<void>;
}

/** Opens `file` in a fresh headless Chromium with a `width` × `height` viewport and waits for its load event. */
export async function openPage(file: string, viewport: { width: number; height: number }, timeoutMs = 90_000): Promise<ChromiumPage> {
  if (CHROMIUM === undefined) throw new Error('no chromium binary (apt-get install -y chromium)');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
  const child: ChildProcess = spawn(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--hide-scrollbars',
      '--remote-debugging-pipe',
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
  );
  child.stderr?.resume();
  const input = child.stdio[3] as Writable;
  const output = child.stdio[4] as Readable;
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: Json) => void; reject: (e: Error) => void }>();
  const listeners: ((method: string, params: Json, sessionId?: string) => void)[] = [];
  const consoleLines: string[] = [];
  let buffer = '';
  let exited = false;
  output.setEncoding('utf8');
  output.on('data', (chunk: string) => {
    buffer += chunk;
    let end = buffer.indexOf('\0');
    while (end >= 0) {
      const message = JSON.parse(buffer.slice(0, end)) as {
        id?: number;
        result?: Json;
        error?: { message: string };
        method?: string;
        params?: Json;
        sessionId?: string;
      };
      buffer = buffer.slice(end + 1);
      if (message.id !== undefined) {
        const p = pending.get(message.id);
        pending.delete(message.id);
        if (message.error !== undefined) p?.reject(new Error(`DevTools: ${message.error.message}`));
        else p?.resolve(message.result ?? {});
      } else if (message.method !== undefined) {
        for (const l of listeners) l(message.method, message.params ?? {}, message.sessionId);
      }
      end = buffer.indexOf('\0');
    }
  });
  const exit = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  child.on('exit', () => {
    exited = true;
    for (const p of pending.values()) p.reject(new Error('chromium exited'));
    pending.clear();
  });
  const send = (method: string, params: Json = {}, sessionId?: string): Promise<Json> =>
    new Promise((resolve, reject) => {
      if (exited) return reject(new Error('chromium exited'));
      const id = nextId++;
      pending.set(id, { resolve, reject });
      input.write(JSON.stringify({ id, method, params, ...(sessionId === undefined ? {} : { sessionId }) }) + '\0');
    });
  const close = async () => {
    if (!exited) {
      try {
        await Promise.race([send('Browser.close'), new Promise((r) => setTimeout(r, 3000).unref())]);
      } catch {
        // Already gone.
      }
      // The profile can only go once the browser has stopped writing to it.
      await Promise.race([exit, new Promise((r) => setTimeout(r, 5000).unref())]);
      if (!exited && child.pid !== undefined) {
        child.kill('SIGKILL');
        await exit;
      }
    }
    input.destroy();
    output.destroy();
    fs.rmSync(profile, { recursive: true, force: true });
  };
  try {
    const { targetId } = (await send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
    const { sessionId } = (await send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    listeners.push((method, params, from) => {
      if (from !== sessionId) return;
      if (method === 'Runtime.consoleAPICalled') {
        const args = (params.args as { value?: unknown; description?: string }[]).map((a) => String(a.value ?? a.description ?? ''));
        consoleLines.push(`${String(params.type)}: ${args.join(' ')}`);
      } else if (method === 'Runtime.exceptionThrown') {
        consoleLines.push(`exception: ${JSON.stringify((params.exceptionDetails as Json).exception ?? params.exceptionDetails)}`);
      }
    });
    await send('Page.enable', {}, sessionId);
    await send('Runtime.enable', {}, sessionId);
    await send('Emulation.setDeviceMetricsOverride', { width: viewport.width, height: viewport.height, deviceScaleFactor: 1, mobile: false }, sessionId);
    const loaded = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`page did not load within ${timeoutMs} ms`)), timeoutMs);
      listeners.push((method, _params, from) => {
        if (from === sessionId && method === 'Page.loadEventFired') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await send('Page.navigate', { url: `file://${path.resolve(file)}` }, sessionId);
    await loaded;
    return {
      console: consoleLines,
      async evaluate<T>(expression: string): Promise<T> {
        const result = (await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, sessionId)) as {
          result: { value?: T };
          exceptionDetails?: { text: string; exception?: { description?: string } };
        };
        if (result.exceptionDetails !== undefined)
          throw new Error(`page script failed: ${result.exceptionDetails.exception?.description ?? result.exceptionDetails.text}`);
        return result.result.value as T;
      },
      async screenshot(clip) {
        const { data } = (await send('Page.captureScreenshot', { format: 'png', clip: { ...clip, scale: 1 }, captureBeyondViewport: true }, sessionId)) as {
          data: string;
        };
        return Buffer.from(data, 'base64');
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
