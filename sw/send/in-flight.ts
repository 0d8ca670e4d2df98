/**
 * What is on the wire now: the lanes claimed by a sender (one write at a time per resource) and
 * the writes being sent, until their outcome is in the log. The log asks it before it merges a new
 * write into an old one; the scheduler and the live path claim lanes through it.
 */
export class InFlight {
  private readonly lanes = new Set<string>();
  private readonly writes = new Set<string>();
  private onTheWire = 0;

  /** Claims a lane for one sender; false when another send of it is under way. */
  tryClaim(lane: string): boolean {
    if (this.lanes.has(lane)) return false;
    this.lanes.add(lane);
    return true;
  }

  release(lane: string): void {
    this.lanes.delete(lane);
  }

  /** Lanes claimed now. */
  get claimed(): number {
    return this.lanes.size;
  }

  /** From now until `settled`, the write is never merged into (docs/protocol.md, Replay). */
  sending(id: string): void {
    this.writes.add(id);
  }

  settled(id: string): void {
    this.writes.delete(id);
  }

  isSending(id: string): boolean {
    return this.writes.has(id);
  }

  /** Runs one request, counted while it is on the wire (for the status). */
  async request<T>(send: () => Promise<T>): Promise<T> {
    this.onTheWire++;
    try {
      return await send();
    } finally {
      this.onTheWire--;
    }
  }

  /** Requests on the wire this moment. */
  get requests(): number {
    return this.onTheWire;
  }
}
