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
