/**
 * Reads something again and again, one read at a time: asked while a read runs, it reads once
 * more after it (however often it was asked), so the last read is never older than the last ask.
 * Bursts of events then cost at most two reads.
 */
export class SerialRead<T> {
  private running = false;
  private again = false;

  constructor(private readonly read: () => Promise<T>, private readonly then: (value: T) => void) {}

  /** Reads now, or once more after the read that runs. A failed read is left for the next ask. */
  ask(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.read().then(this.then, () => undefined).finally(() => {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.ask();
      }
    });
  }
}
