/** How the network came out within a read's timeout. */
export type NetworkAnswer = Response | 'failed' | 'late';

/**
 * The network's answer, or why there is none yet: it failed, or did not come within `timeoutMs`
 * (`readTimeoutMs`). Network first, for reads on routes and for pages alike: a kept copy may
 * answer instead, while a late answer still comes in behind it.
 */
export function within(network: Promise<Response>, timeoutMs: number): Promise<NetworkAnswer> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
  const settled = network.then((response) => response, () => 'failed' as const);
  return Promise.race([settled, late]).finally(() => clearTimeout(timer));
}
