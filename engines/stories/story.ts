// A cross-engine story: what a user does and must see, written once against the driver.
import type { DemoServer } from '../demo-server';
import type { EngineBrowser } from '../driver';

/** What a story is handed: a fresh browser on a fresh profile, and the server, reset. */
export interface StoryContext {
  browser: EngineBrowser;
  server: DemoServer;
}

export interface Story {
  /** Its number in the list of stories (docs: README, Every engine) and what it proves. */
  name: string;
  run(context: StoryContext): Promise<void>;
}
