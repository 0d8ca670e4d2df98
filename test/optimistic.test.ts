import { describe, expect, it } from 'vitest';
import { OptimisticStore } from '../client/optimistic';

describe('optimistic changes', () => {
  it('a failed write undoes itself and every later change of its resource, newest first', () => {
    const store = new OptimisticStore();
    const undone: string[] = [];
    for (const id of ['a1', 'b1', 'a2', 'a3']) store.register(id, id[0]!, () => undone.push(id));
    expect(store.rollback('a2')).toEqual(['a3', 'a2']);
    expect(undone).toEqual(['a3', 'a2']);
    expect(store.has('a1')).toBe(true);
    expect(store.has('b1')).toBe(true);
  });

  it('a confirmed write keeps its change and is forgotten', () => {
    const store = new OptimisticStore();
    const undone: string[] = [];
    store.register('a1', 'a', () => undone.push('a1'));
    store.register('a2', 'a', () => undone.push('a2'));
    store.confirm('a1');
    expect(store.rollback('a1')).toEqual([]);
    expect(store.rollback('a2')).toEqual(['a2']);
    expect(undone).toEqual(['a2']);
    expect(store.size()).toBe(0);
  });

  it('follows a resource from its temporary key to its real one', () => {
    const store = new OptimisticStore();
    const undone: string[] = [];
    store.register('c', '/todos/tmp-1', () => undone.push('c'));
    store.register('e', '/todos/tmp-1', () => undone.push('e'));
    store.rename('/todos/tmp-1', '/todos/5');
    store.register('f', '/todos/5', () => undone.push('f'));
    store.confirm('c');
    expect(store.rollback('e')).toEqual(['f', 'e']);
  });
});
