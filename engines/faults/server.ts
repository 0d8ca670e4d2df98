// The demo server as the fault schedule needs it: a process that can be killed mid-replay and
// started again on the same data, always reached by the browser through the same link (the
// browser's origin stays; a restarted server may listen on another port behind it).
import { startDemoServer, type DemoServer } from '../demo-server';
import { openLink, type Link } from '../link';

/** A killable demo server behind a cuttable link. */
export class FaultServer {
  private constructor(
    readonly link: Link,
    private readonly dataDir: string,
    private live: DemoServer | null,
  ) {}

  /** Starts a server with an empty database in `dataDir`, and the link to it. */
  static async start(dataDir: string): Promise<FaultServer> {
    const server = await startDemoServer(dataDir);
    return new FaultServer(await openLink(server.port), dataDir, server);
  }

  /** The origin browsers use: the link's. */
  get origin(): string {
    return `http://127.0.0.1:${this.link.port}`;
  }

  get up(): boolean {
    return this.live !== null;
  }

  /** The running server's hooks; an error while it is down (a step the plan never asks then). */
  get hooks(): DemoServer {
    if (!this.live) throw new Error('the fault suite asked the demo server while it was down');
    return this.live;
  }

  /** SIGKILL: no shutdown, no flush; what was in flight is cut. */
  async kill(): Promise<void> {
    await this.live?.kill();
    this.live = null;
  }

  /** Starts the server again on what it had written, and points the link at it. */
  async restart(): Promise<void> {
    if (this.live) return;
    this.live = await startDemoServer(this.dataDir, { keepData: true });
    this.link.retarget(this.live.port);
  }

  async close(): Promise<void> {
    await this.live?.stop();
    this.live = null;
    await this.link.close();
  }
}
