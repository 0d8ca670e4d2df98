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
