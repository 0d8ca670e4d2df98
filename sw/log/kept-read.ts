/** A read on a route kept for offline use: the answer as the server gave it, and when. */
export interface KeptRead {
  /** `partition`, `url` and the digests of the request headers its answer varies on. */
  id: string;
  partition: string;
  /** The whole URL read, query included. */
  url: string;
  /** Request headers the answer varies on (its `Vary`), and a digest of each value as it was asked. */
  varyNames: string[];
  varyDigests: string[];
  status: number;
  /** Response headers, minus `Set-Cookie`. */
  headers: [string, string][];
  body: ArrayBuffer;
  storedAt: number;
  usedAt: number;
}

/** A kept read's id: what tells one kept answer from another. */
export function keptReadId(partition: string, url: string, varyNames: string[], varyDigests: string[]): string {
  return JSON.stringify([partition, url, varyNames, varyDigests]);
}

/** The partition and URL a kept read's id names. */
export function keptUrlOfId(id: string): { partition: string; url: string } {
  const [partition, url] = JSON.parse(id) as [string, string];
  return { partition, url };
}
