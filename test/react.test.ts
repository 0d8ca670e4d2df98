import { describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { act, create, type ReactTestRenderer } from 'react-test-renderer';
import { useOutbox, type StatusStore } from '../client/react';
import type { OutboxStatus } from '../protocol';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const idle: OutboxStatus = { instance: 'w1', pending: 0, inFlight: 0, dead: 0, online: true, draining: false, paused: false, lastError: null, servedOffline: false };

/** A status store like the client's: a value and listeners told of each change. */
function fakeStore(): StatusStore & { set(status: OutboxStatus): void; listeners: number } {
  const listeners = new Set<(status: OutboxStatus) => void>();
  const store = {
    status: idle,
    get listeners() {
      return listeners.size;
    },
    subscribeStatus(listener: (status: OutboxStatus) => void) {
      listeners.add(listener);
      listener(store.status);
      return () => listeners.delete(listener);
    },
    set(status: OutboxStatus) {
      store.status = status;
      for (const listener of listeners) listener(status);
    },
  };
  return store;
}

function Badge({ store }: { store: StatusStore }) {
  const status = useOutbox(store);
  return createElement('span', null, `${status.pending} pending${status.online ? '' : ', offline'}`);
}

describe('useOutbox', () => {
  it('renders the status and follows its changes, then lets go of the store', async () => {
    const store = fakeStore();
    let renderer!: ReactTestRenderer;
    await act(async () => {
      renderer = create(createElement(Badge, { store }));
    });
    expect(renderer.toJSON()).toMatchObject({ children: ['0 pending'] });
    await act(async () => store.set({ ...idle, pending: 3, online: false }));
    expect(renderer.toJSON()).toMatchObject({ children: ['3 pending, offline'] });
    expect(store.listeners).toBe(1);
    await act(async () => renderer.unmount());
    expect(store.listeners).toBe(0);
  });
});
