import { describe, expect, it } from 'vitest';
import { readPageMessage } from '../sw/pages/messages';

describe('messages from pages', () => {
  it('reads the outbox\'s own messages exactly as the client sends them', () => {
    expect(readPageMessage({ type: 'outbox:connect' }, 1)).toEqual({ type: 'outbox:connect' });
    expect(readPageMessage({ type: 'outbox:nudge', force: true }, 0)).toEqual({ type: 'outbox:nudge', force: true });
    expect(readPageMessage({ type: 'outbox:credentials-changed' }, 0)).toEqual({ type: 'outbox:credentials-changed' });
    expect(readPageMessage({ type: 'outbox:keep', urls: ['http://app.test/'] }, 0)).toEqual({ type: 'outbox:keep', urls: ['http://app.test/'] });
  });

  it('takes no more URLs to keep than the limit, and only strings', () => {
    expect(readPageMessage({ type: 'outbox:keep', urls: Array(501).fill('http://app.test/') }, 0)).toBe('malformed');
    expect(readPageMessage({ type: 'outbox:keep', urls: [42] }, 0)).toBe('malformed');
    expect(readPageMessage({ type: 'outbox:keep', urls: 'http://app.test/' }, 0)).toBe('malformed');
  });

  it('calls a message that names the outbox but is wrong in any way malformed', () => {
    expect(readPageMessage({ type: 'outbox:connect' }, 0)).toBe('malformed');
    expect(readPageMessage({ type: 'outbox:nudge', force: 'yes please' }, 0)).toBe('malformed');
    expect(readPageMessage({ type: 'outbox:nudge', force: true, url: 'http://evil.test' }, 0)).toBe('malformed');
    expect(readPageMessage({ type: 'outbox:clear' }, 0)).toBe('malformed');
    expect(readPageMessage('outbox:nudge', 0)).toBe('malformed');
  });

  it('leaves messages meant for the rest of the app\'s worker alone', () => {
    expect(readPageMessage({ type: 'SKIP_WAITING' }, 0)).toBe('foreign');
    expect(readPageMessage('hello', 0)).toBe('foreign');
    expect(readPageMessage(null, 0)).toBe('foreign');
    expect(readPageMessage({ type: 42 }, 0)).toBe('foreign');
  });
});
