// The cross-engine stories, in the order they run.
import { batches } from './batches';
import { bodies } from './bodies';
import { conflictMerged, conflictRolledBack } from './conflicts';
import { conflictDialog } from './conflict-dialog';
import { offlineReads } from './offline-reads';
import { plainApp } from './plain-app';
import { reconnect } from './reconnect';
import type { Story } from './story';
import { offlineWrites, onlineWrite, relaunch } from './writes';

export type { Story, StoryContext } from './story';

export const stories: Story[] = [onlineWrite, offlineWrites, plainApp, bodies, conflictMerged, conflictRolledBack, relaunch, offlineReads, conflictDialog, reconnect, batches];
