/** A small base for things listeners can subscribe to (after TanStack query-core's Subscribable). */
export class Subscribable<Listener extends (...args: never[]) => void> {
  protected readonly listeners = new Set<Listener>();

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
