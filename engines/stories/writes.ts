// Writes through the drop-in: online untouched; offline accepted at once, kept across a reload
// and a browser restart, and sent once each, in order, when the network is back.
import assert from 'node:assert/strict';
import { openOutboxPage, outboxReady, outboxStatus, pageFetch, sendJson, waitForDrain, type PageAnswer } from '../page';
import type { WriteRecord } from '../demo-server';
import type { Story } from './story';

/** The page the write stories use: the drop-in, coalescing off, itself kept to open offline. */
const page = '/engines.html';

/** Every answer is the worker's `202 queued`, given at once rather than after a timeout. */
function assertQueued(answers: PageAnswer[]): void {
  for (const answer of answers) {
    assert.equal(answer.status, 202, `a queued write answers 202, got ${answer.status}: ${answer.text}`);
    assert.equal(answer.headers['outbox-status'], 'queued');
    assert.ok(answer.ms < 3000, `a queued write answers at once, this one took ${Math.round(answer.ms)} ms`);
  }
}

/** Each write the server applied carried its own Idempotency-Key: none was applied twice. */
function assertAppliedOnce(writes: WriteRecord[]): void {
  const keys = writes.map((write) => write.idempotencyKey);
  assert.ok(keys.every((key) => key !== null), 'every write carries an Idempotency-Key');
  assert.equal(new Set(keys).size, keys.length, 'no write was applied twice');
}

export const onlineWrite: Story = {
  name: '1 online, a write passes through unchanged',
  async run({ browser, server }) {
    await openOutboxPage(browser, page);
    const created = await sendJson(browser, 'POST', '/api/todos', { title: 'online' });
    assert.equal(created.status, 201);
    assert.equal(created.headers['outbox-status'], undefined, 'the server answered: no outbox headers');
    assert.equal(created.headers['location'], '/api/todos/1');
    const [onServer] = await server.todos();
    assert.deepEqual(JSON.parse(created.text), onServer);
    const read = await pageFetch(browser, '/api/todos/1', { method: 'GET' });
    assert.deepEqual([read.status, read.headers['etag'], JSON.parse(read.text)], [200, '"1"', onServer]);
    const writes = await server.writes();
    assert.deepEqual(writes.map((write) => `${write.method} ${write.path} ${write.status}`), ['POST /api/todos 201']);
    assertAppliedOnce(writes);
  },
};

export const offlineWrites: Story = {
  name: '2 offline, writes answer 202 at once, survive a reload, reach the server once and in order',
  async run({ browser, server }) {
    const item = await server.create('draft');
    await openOutboxPage(browser, page);
    // The page reads the item first, as an app does: the worker learns its version.
    assert.equal((await pageFetch(browser, `/api/todos/${item.id}`, { method: 'GET' })).status, 200);
    await browser.setOffline(true);
    const answers: PageAnswer[] = [];
    for (const title of ['first', 'second', 'third']) answers.push(await sendJson(browser, 'PATCH', `/api/todos/${item.id}`, { title }));
    answers.push(await sendJson(browser, 'POST', '/api/todos', { title: 'created offline' }));
    assertQueued(answers);

    // Still offline, the page reloads from the worker's shell; the writes are in the log.
    await browser.reload();
    await outboxReady(browser);
    assert.equal((await outboxStatus(browser)).pending, 4);
    assert.equal((await server.writes()).length, 1, 'nothing reached the server while offline');

    await browser.setOffline(false);
    await waitForDrain(browser);
    const writes = (await server.writes()).slice(1);
    assert.deepEqual(
      writes.filter((write) => write.method === 'PATCH').map((write) => [write.path, write.status, JSON.parse(write.body).title]),
      [[`/api/todos/${item.id}`, 200, 'first'], [`/api/todos/${item.id}`, 200, 'second'], [`/api/todos/${item.id}`, 200, 'third']],
    );
    assert.deepEqual(writes.filter((write) => write.method === 'POST').map((write) => write.status), [201]);
    assertAppliedOnce(writes);
    const todos = await server.todos();
    assert.deepEqual(todos.map(({ title, version }) => [title, version]), [['third', 4], ['created offline', 1]]);
  },
};

export const relaunch: Story = {
  name: '6 the browser closed while writes wait, relaunched on the same profile: all reach the server once',
  async run({ browser, server }) {
    await openOutboxPage(browser, page);
    await browser.setOffline(true);
    const titles = ['kept 1', 'kept 2', 'kept 3'];
    const answers: PageAnswer[] = [];
    for (const title of titles) answers.push(await sendJson(browser, 'POST', '/api/todos', { title }));
    assertQueued(answers);

    await browser.relaunch();
    await browser.setOffline(false);
    await openOutboxPage(browser, page);
    await waitForDrain(browser);
    const writes = await server.writes();
    assert.deepEqual(writes.map((write) => JSON.parse(write.body).title).sort(), titles);
    assert.deepEqual(writes.map((write) => write.status), [201, 201, 201]);
    assertAppliedOnce(writes);
    assert.deepEqual((await server.todos()).map((todo) => todo.title).sort(), titles);
  },
};
