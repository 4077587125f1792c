// The queue panel's rules, free of React and the network: which entries a filter shows (with
// their real positions, which the server's endpoints take), how clicks select rows, and how a
// dragged selection turns into the server's one-entry moves.
import type { QueueEntry } from '../api/types';
import { matchesWords, queryWords } from './text';

export interface Visible {
  entry: QueueEntry;
  /** The entry's position in the whole queue, whatever the filter hides. */
  index: number;
}

/** The entries whose title, artist or album match every word of `query`, in queue order. */
export function filterQueue(queue: readonly QueueEntry[], query: string): Visible[] {
  const words = queryWords(query);
  const out: Visible[] = [];
  queue.forEach((entry, index) => {
    const t = entry.track;
    if (t && matchesWords(words, [t.title, t.artist, t.album])) out.push({ entry, index });
  });
  return out;
}

export interface Selection<K> {
  ids: ReadonlySet<K>;
  /** Where a Shift+click range starts: the last row clicked without Shift. */
  anchor: K | null;
}

export function emptySelection<K>(): Selection<K> {
  return { ids: new Set(), anchor: null };
}

export interface ClickModifiers {
  /** Ctrl, or Cmd on a Mac. */
  toggle: boolean;
  range: boolean;
}

/**
 * The selection after a click on row `id`, with `order` the rows as shown (a filtered list
 * ranges over what is visible only). Click selects the one row; Ctrl/Cmd toggles it; Shift
 * selects from the anchor to it; Ctrl/Cmd+Shift adds that range.
 */
export function clickSelect<K>(sel: Selection<K>, id: K, order: readonly K[], mods: ClickModifiers): Selection<K> {
  const at = order.indexOf(id);
  const from = sel.anchor === null ? -1 : order.indexOf(sel.anchor);
  if (mods.range && at >= 0 && from >= 0) {
    const [lo, hi] = from <= at ? [from, at] : [at, from];
    const range = order.slice(lo, hi + 1);
    const ids = mods.toggle ? new Set([...sel.ids, ...range]) : new Set(range);
    return { ids, anchor: sel.anchor }; // the anchor stays, so the range can be redrawn
  }
  if (mods.toggle) {
    const ids = new Set(sel.ids);
    if (ids.has(id)) ids.delete(id);
    else ids.add(id);
    return { ids, anchor: id };
  }
  return { ids: new Set([id]), anchor: id };
}

/** Only the rows still there (played, removed or filtered out rows drop out). */
export function keepSelected<K>(sel: Selection<K>, present: readonly K[]): Selection<K> {
  const here = new Set(present);
  const ids = [...sel.ids].filter((id) => here.has(id));
  const anchor = sel.anchor !== null && here.has(sel.anchor) ? sel.anchor : null;
  if (ids.length === sel.ids.size && anchor === sel.anchor) return sel;
  return { ids: new Set(ids), anchor };
}

/** The selected ids in the order of `order` (the order they keep when moved together). */
export function selectedInOrder<K>(sel: Selection<K>, order: readonly K[]): K[] {
  return order.filter((id) => sel.ids.has(id));
}

/**
 * The gap a sortable drop means: dnd-kit reports the row whose place the dragged row takes, so
 * dragged downwards it lands after that row, upwards before it. Gaps number 0..length.
 */
export function dropGap(from: number, over: number): number {
  return from < over ? over + 1 : over;
}

/**
 * The order after moving `moving` (keeping their relative order) into `gap`, a gap of the
 * original order (0: before the first row, order.length: after the last).
 */
export function moveBlock<K>(order: readonly K[], moving: ReadonlySet<K>, gap: number): K[] {
  const block = order.filter((id) => moving.has(id));
  const rest = order.filter((id) => !moving.has(id));
  // The gap counted among the rows that stay where they are.
  const at = order.slice(0, Math.max(0, gap)).filter((id) => !moving.has(id)).length;
  return [...rest.slice(0, at), ...block, ...rest.slice(at)];
}

export interface Move<K> {
  id: K;
  index: number;
}

/** The server's queue_move: take the entry out, put it back so that it ends up at `index`. */
export function applyMove<K>(order: readonly K[], { id, index }: Move<K>): K[] {
  const rest = order.filter((x) => x !== id);
  if (rest.length === order.length) return [...order];
  rest.splice(index, 0, id);
  return rest;
}

/** Positions of one longest increasing run (not necessarily contiguous) of `values`. */
function longestIncreasing(values: readonly number[]): Set<number> {
  const tails: number[] = []; // tails[k]: position ending the best run of length k + 1
  const prev: number[] = new Array<number>(values.length).fill(-1);
  values.forEach((v, i) => {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (values[tails[mid]] < v) lo = mid + 1;
      else hi = mid;
    }
    prev[i] = lo > 0 ? tails[lo - 1] : -1;
    tails[lo] = i;
  });
  const keep = new Set<number>();
  for (let i = tails.length ? tails[tails.length - 1] : -1; i >= 0; i = prev[i]) keep.add(i);
  return keep;
}

/**
 * The fewest one-entry moves (the server's move endpoint) that turn `current` into `target`,
 * a permutation of it: the longest run already in target order stays, every other entry goes
 * right after its target predecessor. Moving a block of k entries takes at most k moves.
 */
export function movesBetween<K>(current: readonly K[], target: readonly K[]): Move<K>[] {
  const rank = new Map(target.map((id, i) => [id, i]));
  const keep = longestIncreasing(current.map((id) => rank.get(id) ?? -1));
  const staying = new Set(current.filter((_, i) => keep.has(i)));
  let order = [...current];
  const moves: Move<K>[] = [];
  target.forEach((id, i) => {
    if (staying.has(id)) return;
    const rest = order.filter((x) => x !== id);
    const index = i === 0 ? 0 : rest.indexOf(target[i - 1]) + 1;
    const move = { id, index };
    order = applyMove(order, move);
    moves.push(move);
  });
  return moves;
}
