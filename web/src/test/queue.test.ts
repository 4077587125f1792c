import { describe, expect, it } from 'vitest';
import type { QueueEntry } from '../api/types';
import { carriesItems, decodeItems, describeItems, DRAG_TYPE, type DragItems, encodeItems } from '../lib/drag';
import {
  applyMove,
  clickSelect,
  dropGap,
  emptySelection,
  filterQueue,
  keepSelected,
  moveBlock,
  movesBetween,
  type Selection,
  selectedInOrder,
} from '../lib/queue';
import { fold, matchesWords, queryWords } from '../lib/text';
import { track } from './helpers';

describe('fold (as store/text.py folds)', () => {
  it.each([
    ['Beyoncé', 'beyonce'],
    ['BEYONCE', 'beyonce'],
    ['  Sigur   Rós ', 'sigur ros'],
    ['Straße', 'strasse'],
    ['Mötley Crüe', 'motley crue'],
    ['Ærøskøbing', 'aeroskobing'],
    ['Łódź', 'lodz'],
    ['ΟΔΟΣ', 'οδοσ'], // casefold has no final sigma
    ['ﬁre', 'fire'], // compatibility decomposition
    ['Ｔｏｋｙｏ', 'tokyo'],
    ['Đorđe', 'dorde'],
    ['İstanbul', 'istanbul'],
  ])('%s → %s', (text, folded) => {
    expect(fold(text)).toBe(folded);
  });

  it('is idempotent', () => {
    for (const text of ['Beyoncé', 'Straße', 'ΟΔΟΣ', 'İstanbul', 'Ærø']) expect(fold(fold(text))).toBe(fold(text));
  });

  it('matches every word of a query in any field', () => {
    const words = queryWords('sigur ROS agaetis');
    expect(matchesWords(words, ['Svefn-g-englar', 'Sigur Rós', 'Ágætis byrjun'])).toBe(true);
    expect(matchesWords(words, ['Svefn-g-englar', 'Sigur Rós', 'Takk'])).toBe(false);
    expect(matchesWords(queryWords('   '), ['anything'])).toBe(true);
    expect(matchesWords(['x'], [null, undefined])).toBe(false);
  });
});

describe('filterQueue', () => {
  const entry = (id: number, title: string, artist = 'Artist', album = 'Album'): QueueEntry => ({
    entry_id: id,
    track: { ...track(id, title), artist, album },
  });
  const queue = [
    entry(1, 'Kite', 'Marrow', 'Paper Suns'),
    entry(2, 'Héadlights', 'Aurora Lane', 'Night Drive'),
    { entry_id: 3, track: null },
    entry(4, 'Ember', 'Marrow', 'Paper Suns'),
  ];

  it('keeps the real queue positions of what it shows', () => {
    expect(filterQueue(queue, 'marrow').map((v) => [v.entry.entry_id, v.index])).toEqual([
      [1, 0],
      [4, 3],
    ]);
    expect(filterQueue(queue, 'HEADLIGHTS').map((v) => v.index)).toEqual([1]);
    expect(filterQueue(queue, 'night aurora').map((v) => v.index)).toEqual([1]);
    expect(filterQueue(queue, 'paper ember').map((v) => v.index)).toEqual([3]);
  });

  it('shows every entry with a track for a blank filter, none for a miss', () => {
    expect(filterQueue(queue, ' ').map((v) => v.index)).toEqual([0, 1, 3]);
    expect(filterQueue(queue, 'nothing like it')).toEqual([]);
  });
});

describe('clickSelect', () => {
  const order = [10, 11, 12, 13, 14];
  const plain = { toggle: false, range: false };
  const toggle = { toggle: true, range: false };
  const range = { toggle: false, range: true };
  const ids = (s: Selection<number>) => [...s.ids].sort((a, b) => a - b);

  it('selects one row on a click, toggles with Ctrl/Cmd', () => {
    let s = clickSelect(emptySelection<number>(), 11, order, plain);
    expect(ids(s)).toEqual([11]);
    s = clickSelect(s, 13, order, toggle);
    expect(ids(s)).toEqual([11, 13]);
    s = clickSelect(s, 11, order, toggle);
    expect(ids(s)).toEqual([13]);
    s = clickSelect(s, 12, order, plain);
    expect(ids(s)).toEqual([12]);
  });

  it('selects a range from the anchor with Shift, either way, and redraws it', () => {
    let s = clickSelect(emptySelection<number>(), 12, order, plain);
    s = clickSelect(s, 14, order, range);
    expect(ids(s)).toEqual([12, 13, 14]);
    s = clickSelect(s, 10, order, range);
    expect(ids(s)).toEqual([10, 11, 12]);
    expect(s.anchor).toBe(12);
  });

  it('adds a range with Ctrl/Cmd+Shift', () => {
    let s = clickSelect(emptySelection<number>(), 10, order, plain);
    s = clickSelect(s, 12, order, toggle);
    s = clickSelect(s, 14, order, { toggle: true, range: true });
    expect(ids(s)).toEqual([10, 12, 13, 14]);
  });

  it('ranges over the rows shown only, and starts afresh without an anchor shown', () => {
    const shown = [10, 12, 14]; // a filter hides 11 and 13
    let s = clickSelect(emptySelection<number>(), 10, shown, plain);
    s = clickSelect(s, 14, shown, range);
    expect(ids(s)).toEqual([10, 12, 14]);
    s = clickSelect({ ids: new Set([11]), anchor: 11 }, 14, shown, range);
    expect(ids(s)).toEqual([14]);
  });

  it('forgets rows that are gone and lists the rest in queue order', () => {
    const s: Selection<number> = { ids: new Set([14, 11, 99]), anchor: 99 };
    const kept = keepSelected(s, order);
    expect(ids(kept)).toEqual([11, 14]);
    expect(kept.anchor).toBeNull();
    expect(keepSelected(kept, order)).toBe(kept);
    expect(selectedInOrder(kept, order)).toEqual([11, 14]);
  });
});

describe('moving a selection', () => {
  const order = ['a', 'b', 'c', 'd', 'e', 'f'];

  it('turns a sortable drop into a gap', () => {
    expect(dropGap(1, 0)).toBe(0); // dragged up: before the row
    expect(dropGap(0, 2)).toBe(3); // dragged down: after it
  });

  it('moves a block into a gap, keeping its order and everyone else’s', () => {
    expect(moveBlock(order, new Set(['b', 'e']), 0)).toEqual(['b', 'e', 'a', 'c', 'd', 'f']);
    expect(moveBlock(order, new Set(['b', 'e']), 6)).toEqual(['a', 'c', 'd', 'f', 'b', 'e']);
    expect(moveBlock(order, new Set(['a', 'b']), 4)).toEqual(['c', 'd', 'a', 'b', 'e', 'f']);
    expect(moveBlock(order, new Set(['e', 'b']), 3)).toEqual(['a', 'c', 'b', 'e', 'd', 'f']);
    // A gap inside the block itself gathers the block there.
    expect(moveBlock(order, new Set(['b', 'd']), 3)).toEqual(['a', 'c', 'b', 'd', 'e', 'f']);
    expect(moveBlock(order, new Set(['c']), 3)).toEqual(order);
  });

  it('a single dragged row lands where the sortable list showed it', () => {
    for (let from = 0; from < order.length; from++) {
      for (let over = 0; over < order.length; over++) {
        const shown = [...order];
        shown.splice(over, 0, shown.splice(from, 1)[0]); // dnd-kit's arrayMove
        expect(moveBlock(order, new Set([order[from]]), dropGap(from, over))).toEqual(shown);
      }
    }
  });

  it('applies a move as the server does', () => {
    expect(applyMove(order, { id: 'e', index: 0 })).toEqual(['e', 'a', 'b', 'c', 'd', 'f']);
    expect(applyMove(order, { id: 'a', index: 5 })).toEqual(['b', 'c', 'd', 'e', 'f', 'a']);
    expect(applyMove(order, { id: 'z', index: 0 })).toEqual(order);
  });

  it('finds no moves for no change, one per moved row otherwise', () => {
    expect(movesBetween(order, order)).toEqual([]);
    expect(movesBetween(order, ['f', 'a', 'b', 'c', 'd', 'e'])).toEqual([{ id: 'f', index: 0 }]);
    expect(movesBetween(order, ['c', 'd', 'e', 'f', 'a', 'b'])).toHaveLength(2);
  });

  it('always reaches the target, within the moved block’s size (random cases)', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 500; round++) {
      const n = 1 + random(12);
      const ids = Array.from({ length: n }, (_, i) => i);
      const moving = new Set(ids.filter(() => random(3) === 0));
      const target = moveBlock(ids, moving, random(n + 1));
      const moves = movesBetween(ids, target);
      expect(moves.length).toBeLessThanOrEqual(moving.size);
      let now = ids;
      for (const move of moves) {
        expect(move.index).toBeGreaterThanOrEqual(0);
        expect(move.index).toBeLessThan(n); // the server refuses anything else
        now = applyMove(now, move);
      }
      expect(now).toEqual(target);
    }
    // Any permutation, not only block moves.
    for (let round = 0; round < 200; round++) {
      const n = 1 + random(10);
      const target = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = random(i + 1);
        [target[i], target[j]] = [target[j], target[i]];
      }
      const ids = Array.from({ length: n }, (_, i) => i);
      expect(movesBetween(ids, target).reduce(applyMove, ids)).toEqual(target);
    }
  });
});

describe('drag payload', () => {
  it('round-trips albums and tracks', () => {
    const album: DragItems = { kind: 'album', id: 3, title: 'Night Drive' };
    const tracks: DragItems = { kind: 'tracks', ids: [4, 5], title: 'Kite' };
    expect(decodeItems(encodeItems(album))).toEqual(album);
    expect(decodeItems(encodeItems(tracks))).toEqual(tracks);
  });

  it.each([
    'not json',
    'null',
    '[]',
    '{"kind":"album","id":0,"title":"x"}',
    '{"kind":"album","id":"3","title":"x"}',
    '{"kind":"tracks","ids":[],"title":"x"}',
    '{"kind":"tracks","ids":[1,-2],"title":"x"}',
    '{"kind":"tracks","ids":[1]}',
    '{"kind":"playlist","id":1,"title":"x"}',
  ])('refuses %s', (text) => {
    expect(decodeItems(text)).toBeNull();
  });

  it('tells our drags from files and links', () => {
    expect(carriesItems(['text/uri-list', DRAG_TYPE])).toBe(true);
    expect(carriesItems(['Files'])).toBe(false);
    expect(carriesItems(undefined)).toBe(false);
  });

  it('describes what was dropped', () => {
    expect(describeItems({ kind: 'album', id: 1, title: 'Night Drive' }, 3)).toBe('“Night Drive” (3 tracks)');
    expect(describeItems({ kind: 'tracks', ids: [1], title: 'Kite' }, 1)).toBe('“Kite”');
    expect(describeItems({ kind: 'tracks', ids: [1, 2], title: 'Kite' }, 2)).toBe('2 tracks');
  });
});
