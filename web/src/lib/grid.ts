// Uniform cover grids: a fixed number of columns for each container width, so every card in
// a row has exactly the same box whatever the cover art is.

type Breakpoints = ReadonlyArray<readonly [minWidth: number, columns: number]>;

/** Home rows (one row each, paged). */
export const ROW_BREAKPOINTS: Breakpoints = [
  [2560, 12], [1920, 10], [1500, 8], [1100, 7], [900, 6], [600, 4], [360, 3], [0, 2],
];

/** Library grids (many rows). */
export const GRID_BREAKPOINTS: Breakpoints = [
  [2560, 12], [1920, 10], [1440, 8], [1200, 7], [960, 6], [768, 5], [600, 4], [360, 3], [0, 2],
];

export function columnsFor(width: number, breakpoints: Breakpoints = GRID_BREAKPOINTS): number {
  for (const [min, cols] of breakpoints) if (width >= min) return cols;
  return breakpoints[breakpoints.length - 1][1];
}

/** The items of page `page` when `perPage` fit in a row, and how many pages there are. */
export function pageOf<T>(items: T[], perPage: number, page: number): { items: T[]; pages: number; page: number } {
  const pages = Math.max(1, Math.ceil(items.length / perPage));
  const current = Math.min(Math.max(0, page), pages - 1);
  return { items: items.slice(current * perPage, (current + 1) * perPage), pages, page: current };
}

/** The keys that move the focus between the cards of a grid. */
export const GRID_KEYS: ReadonlySet<string> = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End']);

/**
 * Where the focus goes from card `index` of `count`, laid out row by row in `cols` columns, on
 * `key`; null at an edge (nothing there). ↓ from above the gap of a short last row lands on
 * its last card, so ↓ always reaches the last row.
 */
export function neighbour(key: string, index: number, count: number, cols: number): number | null {
  if (count <= 0 || index < 0 || index >= count) return null;
  const width = Math.max(1, cols);
  let to: number;
  switch (key) {
    case 'ArrowLeft':
      to = index - 1;
      break;
    case 'ArrowRight':
      to = index + 1;
      break;
    case 'ArrowUp':
      to = index - width;
      break;
    case 'ArrowDown':
      if (Math.floor(index / width) === Math.floor((count - 1) / width)) return null;
      to = Math.min(index + width, count - 1);
      break;
    case 'Home':
      to = 0;
      break;
    case 'End':
      to = count - 1;
      break;
    default:
      return null;
  }
  return to >= 0 && to < count && to !== index ? to : null;
}
