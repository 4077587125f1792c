import { describe, expect, it } from 'vitest';
import { gainFor } from '../audio/engine';
import { formatLength, formatTime, tabTitle } from '../lib/format';
import { columnsFor, GRID_BREAKPOINTS, neighbour, pageOf, ROW_BREAKPOINTS } from '../lib/grid';
import { clampRect } from '../lib/layout';
import { previousAction, RESTART_AFTER } from '../lib/previous';
import { scanPercent } from '../lib/scan';
import { nextBackoff } from '../hooks/usePlayerSocket';
import type { Scan } from '../api/types';

describe('format', () => {
  it('formats times and lengths', () => {
    expect(formatTime(0)).toBe('0:00');
    expect(formatTime(187.9)).toBe('3:07');
    expect(formatTime(3723)).toBe('1:02:03');
    expect(formatTime(NaN)).toBe('0:00');
    expect(formatLength(12)).toBe('12 sec');
    expect(formatLength(42 * 60)).toBe('42 min');
    expect(formatLength(65 * 60)).toBe('1 hr 5 min');
  });

  it('titles the tab "Title - Artist"', () => {
    expect(tabTitle({ title: 'Angel', artist: 'Massive Attack' })).toBe('Angel - Massive Attack');
    expect(tabTitle(null)).toBe('Tonearm');
  });
});

describe('grid', () => {
  it('has a fixed column count per width', () => {
    expect(columnsFor(320, GRID_BREAKPOINTS)).toBe(2);
    expect(columnsFor(600, GRID_BREAKPOINTS)).toBe(4);
    expect(columnsFor(1199, GRID_BREAKPOINTS)).toBe(6);
    expect(columnsFor(2560, ROW_BREAKPOINTS)).toBe(12);
  });

  it('pages a row', () => {
    const items = [1, 2, 3, 4, 5, 6, 7];
    expect(pageOf(items, 3, 0)).toEqual({ items: [1, 2, 3], pages: 3, page: 0 });
    expect(pageOf(items, 3, 9)).toEqual({ items: [7], pages: 3, page: 2 });
    expect(pageOf([], 3, 0).pages).toBe(1);
  });

  // 10 cards in 4 columns:   0 1 2 3
  //                          4 5 6 7
  //                          8 9
  it.each([
    ['ArrowRight', 0, 1],
    ['ArrowRight', 3, 4], // on to the next row
    ['ArrowRight', 9, null],
    ['ArrowLeft', 4, 3],
    ['ArrowLeft', 0, null],
    ['ArrowDown', 1, 5],
    ['ArrowDown', 5, 9],
    ['ArrowDown', 6, 9], // nothing below: the short last row's last card
    ['ArrowDown', 8, null],
    ['ArrowUp', 9, 5],
    ['ArrowUp', 2, null],
    ['Home', 6, 0],
    ['End', 2, 9],
    ['End', 9, null],
    ['Enter', 2, null],
  ])('moves %s from card %i to %s (10 cards, 4 columns)', (key, from, to) => {
    expect(neighbour(key, from, 10, 4)).toBe(to);
  });

  it('follows the column count and survives odd input', () => {
    expect(neighbour('ArrowDown', 1, 10, 2)).toBe(3);
    expect(neighbour('ArrowUp', 7, 10, 6)).toBe(1);
    expect(neighbour('ArrowDown', 0, 3, 1)).toBe(1);
    expect(neighbour('ArrowDown', 0, 3, 0)).toBe(1); // no width yet: one column
    expect(neighbour('ArrowRight', 0, 0, 4)).toBeNull();
    expect(neighbour('ArrowRight', 12, 10, 4)).toBeNull();
  });
});

describe('clampRect', () => {
  it('keeps a widget inside a window that shrank', () => {
    expect(clampRect({ x: 1200, y: 700, width: 400, height: 200 }, 800, 600)).toEqual({ x: 400, y: 400, width: 400, height: 200 });
    expect(clampRect({ x: -50, y: -10, width: 400, height: 200 }, 800, 600)).toEqual({ x: 0, y: 0, width: 400, height: 200 });
  });

  it('shrinks a widget larger than the window, never below the minimum', () => {
    expect(clampRect({ x: 10, y: 10, width: 2000, height: 900 }, 800, 600)).toEqual({ x: 0, y: 0, width: 800, height: 600 });
    expect(clampRect({ x: 0, y: 0, width: 50, height: 50 }, 800, 600)).toMatchObject({ width: 220, height: 120 });
  });
});

describe('volume', () => {
  it('is applied as the square of the slider', () => {
    expect(gainFor(100)).toBe(1);
    expect(gainFor(50)).toBeCloseTo(0.25);
    expect(gainFor(0)).toBe(0);
    expect(gainFor(140)).toBe(1);
  });
});

describe('reconnecting', () => {
  it('backs off from half a second to ten', () => {
    let ms = 250;
    const seen = [];
    for (let i = 0; i < 8; i++) seen.push((ms = nextBackoff(ms)));
    expect(seen).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
  });
});

describe('scanPercent', () => {
  const scan = (progress: Record<string, number>, state: Scan['state'] = 'running'): Scan => ({
    id: 1, state, requested_by: null, full_rescan: false, started_at: null, finished_at: null, progress, error: null,
  });
  it('measures against the files found', () => {
    expect(scanPercent(scan({ found: 0 }))).toBeNull();
    expect(scanPercent(scan({ found: 200, unchanged: 50, parsed: 40, failed: 10 }))).toBe(50);
    expect(scanPercent(scan({ found: 10 }, 'done'))).toBe(100);
  });
});

describe('previous', () => {
  it('goes back near the start of a track and restarts it later on', () => {
    expect(previousAction(0)).toBe('back');
    expect(previousAction(RESTART_AFTER - 0.01)).toBe('back');
    expect(previousAction(RESTART_AFTER)).toBe('restart');
    expect(previousAction(200)).toBe('restart');
    expect(previousAction(Number.NaN)).toBe('back'); // nothing loaded yet
  });
});
