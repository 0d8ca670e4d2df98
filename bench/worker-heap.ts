// Reads a service worker's live JS heap over the browser's DevTools protocol (a worker has no
// performance.memory): attach to its target, collect garbage, read the heap's used size.
import type { Browser, CDPSession } from '@playwright/test';

export class WorkerHeap {
  private nextId = 0;

  private constructor(private readonly cdp: CDPSession, private readonly sessionId: string) {}

  /** Attaches to the running service worker whose script URL contains `scriptPart`. */
  static async attach(browser: Browser, scriptPart: string): Promise<WorkerHeap> {
    const cdp = await browser.newBrowserCDPSession();
    const { targetInfos } = await cdp.send('Target.getTargets');
    const target = targetInfos.find((info) => info.type === 'service_worker' && info.url.includes(scriptPart));
    if (!target) throw new Error(`no service worker running from ${scriptPart}`);
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
    return new WorkerHeap(cdp, sessionId);
  }

  /** Live heap after a full garbage collection, in MB. */
  async liveMb(): Promise<number> {
    await this.call('HeapProfiler.collectGarbage');
    const usage = (await this.call('Runtime.getHeapUsage')) as { usedSize: number };
    return Math.round((usage.usedSize / 1048576) * 100) / 100;
  }

  async detach(): Promise<void> {
    await this.cdp.detach();
  }

  private call(method: string): Promise<unknown> {
    const id = ++this.nextId;
    return new Promise((resolve) => {
      const listener = (event: { message: string }) => {
        const message = JSON.parse(event.message) as { id?: number; result?: unknown };
        if (message.id !== id) return;
        this.cdp.off('Target.receivedMessageFromTarget', listener);
        resolve(message.result);
      };
      this.cdp.on('Target.receivedMessageFromTarget', listener);
      void this.cdp.send('Target.sendMessageToTarget', { sessionId: this.sessionId, message: JSON.stringify({ id, method }) });
    });
  }
}
