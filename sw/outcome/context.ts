import type { OutboxConfig } from '../../protocol';
import type { EntryStore } from '../log/entries';
import type { LearnedStore } from '../log/learned';
import type { EventHub } from '../events/hub';
import type { StatusReporter } from '../events/status';

/** What settling an outcome works with: the log to change, the tabs to tell, the settings. */
export interface OutcomeContext {
  entries: EntryStore;
  learned: LearnedStore;
  events: EventHub;
  status: StatusReporter;
  config: OutboxConfig;
}
