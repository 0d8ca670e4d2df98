import { test, expect } from '@playwright/test';
import { DemoServer, openBoard, openDropIn, outboxStatus, pageFetch } from './outbox';

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

test('messages of the wrong shape do not drive the worker', async ({ page }) => {
  await openDropIn(page);
  await page.evaluate(() => {
    const worker = navigator.serviceWorker.controller!;
    worker.postMessage({ type: 'outbox:clear' });
    worker.postMessage({ type: 'outbox:connect' }); // no port: nothing to expose on
    worker.postMessage('outbox:nudge');
    worker.postMessage({ type: 'outbox:nudge', force: 'yes please' });
  });
  expect(await outboxStatus(page)).toMatchObject({ pending: 0, paused: false });
  const created = await pageFetch(page, '/api/todos', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"title":"still fine"}' });
  expect(created.status).toBe(201);
});
