// Floating widget rectangles: defaults, and keeping them inside the window when it shrinks
// (react-rnd re-applies its bounds only while dragging).

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const MIN_WIDTH = 220;
export const MIN_HEIGHT = 120;

/** `rect` moved (and if need be shrunk) so that it lies inside a `vw`×`vh` area. */
export function clampRect(rect: Rect, vw: number, vh: number): Rect {
  const width = Math.round(Math.max(Math.min(MIN_WIDTH, vw), Math.min(rect.width, vw)));
  const height = Math.round(Math.max(Math.min(MIN_HEIGHT, vh), Math.min(rect.height, vh)));
  const x = Math.round(Math.min(Math.max(0, rect.x), Math.max(0, vw - width)));
  const y = Math.round(Math.min(Math.max(0, rect.y), Math.max(0, vh - height)));
  return { x, y, width, height };
}

export function sameRect(a: Rect, b: Rect): boolean {
  return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}
