import { test, expect } from '@playwright/test';
import { DemoServer, openBoard, openDropIn } from './demo';
import { outboxStatus, pageFetch } from '../testing';

let server: DemoServer;

test.beforeEach(async ({ request }) => {
  server = new DemoServer(request);
  await server.reset();
});

test('the demo runs under a strict Content-Security-Policy without a single violation', async ({ page, request }) => {
  const policy = (await request.get('/')).headers()['content-security-policy'];
  expect(policy).toMatch(/default-src 'self'; script-src 'self'; style-src 'self'/);
  expect(policy).not.toContain('unsafe');
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  await openBoard(page);
  await page.getByTestId('new-title').fill('under CSP');
  await page.getByTestId('add').click();
  await expect(page.getByTestId('item')).toHaveCount(1);
  expect(violations).toEqual([]);
});

test('messages of the wrong shape do not drive the worker, and each is logged', async ({ page, context }) => {
  await openDropIn(page);
  const warnings: string[] = [];
  const [worker] = context.serviceWorkers();
  worker!.on('console', (message) => {
    if (message.type() === 'warning') warnings.push(message.text());
  });
  await page.evaluate(() => {
    const controller = navigator.serviceWorker.controller!;
    controller.postMessage({ type: 'outbox:clear' });
    controller.postMessage({ type: 'outbox:connect' }); // no port: nothing to expose on
    controller.postMessage('outbox:nudge');
    controller.postMessage({ type: 'outbox:nudge', force: 'yes please' });
    controller.postMessage({ type: 'SKIP_WAITING' }); // the rest of an app's worker may want this one
  });
  await expect.poll(() => warnings.length).toBe(4);
  expect(warnings.every((warning) => warning.startsWith('sw-outbox: ignored a message of the wrong shape'))).toBe(true);
  expect(await outboxStatus(page)).toMatchObject({ pending: 0, paused: false });
  const created = await pageFetch(page, '/api/todos', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"title":"still fine"}' });
  expect(created.status).toBe(201);
  expect(warnings).toHaveLength(4);
});
