// A limit on how long a piece of work may take, so a hung browser fails a run with a name
// instead of stopping it for good.

/** Resolves or rejects as `work` does, or rejects with "`what` took over N s" after `ms`. */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s`)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
