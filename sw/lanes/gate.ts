/**
 * Whether replay may send now, and whose writes: paused by the app, the active partition (the
 * signed-in user), and whether this worker holds the sender lock (only one worker of an origin
 * sends at a time, see pages/lifecycle.ts). The controls change it; senders read it.
 */
export class ReplayGate {
  private mayThisWorkerSend = true;

  constructor(private pausedByApp = false, private activePartition = '') {}

  get paused(): boolean {
    return this.pausedByApp;
  }

  get partition(): string {
    return this.activePartition;
  }

  /** Neither paused nor waiting for the lock: lanes may be walked. */
  get open(): boolean {
    return !this.pausedByApp && this.mayThisWorkerSend;
  }

  setPaused(paused: boolean): void {
    this.pausedByApp = paused;
  }

  setPartition(partition: string): void {
    this.activePartition = partition;
  }

  allowSending(allowed: boolean): void {
    this.mayThisWorkerSend = allowed;
  }
}
