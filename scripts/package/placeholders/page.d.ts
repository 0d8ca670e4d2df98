// The app's own code the README's page snippets call: stand-ins, typed as an app would have them.
import type { OutboxClient } from 'sw-outbox/client';

declare global {
  /** The drop-in's client (`window.outbox`). */
  const outbox: OutboxClient;
  function render(pending: unknown): void;
  function askUser(base: unknown, local: unknown, server: unknown): Promise<string | undefined>;
  const badge: HTMLElement;
  const body: string;
  function show(): void;
  function undo(): void;
}
