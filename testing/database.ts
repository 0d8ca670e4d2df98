// Reads an origin's IndexedDB from one of its pages. A service worker's queue lives there, so a
// test can see it without asking the worker (which may be stopped, or not sw-outbox at all).
import type { Page } from '@playwright/test';
import { originOf } from './workers';

/** A store's records, each with its key. Binary values (bodies) arrive decoded as UTF-8 text. */
export type StoreRecords = { key: unknown; value: unknown }[];

/**
 * Every record of the named stores of `database`, read in one transaction; null when the
 * database does not exist (it is never created by reading). Stores it lacks come back empty.
 */
export async function readDatabase(page: Page, database: string, stores: string[]): Promise<Record<string, StoreRecords> | null> {
  originOf(page);
  return page.evaluate(
    ({ database, stores }) =>
      new Promise<Record<string, StoreRecords> | null>((resolve, reject) => {
        const decoder = new TextDecoder();
        // Structured values the test side can read: bodies as text, dates as numbers.
        const plain = (value: unknown): unknown => {
          if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return decoder.decode(value);
          if (value instanceof Date) return value.getTime();
          if (Array.isArray(value)) return value.map(plain);
          if (value && typeof value === 'object' && !(value instanceof Blob)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
          return value;
        };
        const request = indexedDB.open(database);
        // An upgrade here means the database does not exist: abort, so reading never creates it.
        request.onupgradeneeded = () => request.transaction!.abort();
        request.onerror = (event) => {
          event.preventDefault();
          if (request.error?.name === 'AbortError') resolve(null);
          else reject(request.error);
        };
        request.onsuccess = () => {
          const db = request.result;
          // A worker upgrading its schema must not wait on this connection.
          db.onversionchange = () => db.close();
          const present = stores.filter((store) => db.objectStoreNames.contains(store));
          const result: Record<string, StoreRecords> = Object.fromEntries(stores.map((store) => [store, []]));
          if (present.length === 0) {
            db.close();
            resolve(result);
            return;
          }
          const tx = db.transaction(present, 'readonly');
          for (const store of present) {
            const cursor = tx.objectStore(store).openCursor();
            cursor.onsuccess = () => {
              if (!cursor.result) return;
              result[store]!.push({ key: plain(cursor.result.key), value: plain(cursor.result.value) });
              cursor.result.continue();
            };
          }
          tx.oncomplete = () => {
            db.close();
            resolve(result);
          };
          tx.onerror = () => {
            db.close();
            reject(tx.error);
          };
        };
      }),
    { database, stores },
  );
}
