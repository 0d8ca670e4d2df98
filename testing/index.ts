// sw-outbox/testing: test any web app with a service worker offline, with Playwright. Go offline
// and online (worker included), stop the worker, fire Background Sync, wait for sw-outbox's queue
// to drain, read it or a Workbox queue, relaunch the browser on the same profile.
export { test, type ServiceWorkerKit, type KitFixtures, type KitOptions } from './fixture';
export { expect } from '@playwright/test';
export { goOffline, goOnline } from './network';
export { stopServiceWorkers, fireSync, outboxSyncTag, workboxSyncTag } from './workers';
export { readQueue, readWorkboxQueue, waitForDrain, describeWrites, type QueuedWrite, type WorkboxQueuedRequest, type DrainOptions, type LogOptions } from './queues';
export { readDatabase, type StoreRecords } from './database';
export { launchProfile, type Profile, type ProfileOptions } from './profile';
export { pageFetch, pageXhr, type PageAnswer, type XhrAnswer } from './requests';
export { outboxStatus, workerAnswers, useSettings, nextEvent } from './client';
