// What an album card or a track row carries when dragged (native HTML5 drag and drop, so it
// crosses from the page to the sidebar and the queue panel), and how a drop reads it back.

/** Our own type, so drop targets ignore files, links and text dragged from elsewhere. */
export const DRAG_TYPE = 'application/x-tonearm-items';

export type DragItems =
  | { kind: 'album'; id: number; title: string }
  | { kind: 'tracks'; ids: number[]; title: string };

export function encodeItems(items: DragItems): string {
  return JSON.stringify(items);
}

const isId = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;

/** The items of a drop, or null for anything that is not a well-formed payload of ours. */
export function decodeItems(text: string): DragItems | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null) return null;
  const { kind, id, ids, title } = data as Record<string, unknown>;
  if (typeof title !== 'string') return null;
  if (kind === 'album' && isId(id)) return { kind, id, title };
  if (kind === 'tracks' && Array.isArray(ids) && ids.length > 0 && ids.every(isId)) return { kind, ids, title };
  return null;
}

/** Whether a drag carries our items: during dragover only the types can be read, not the data. */
export function carriesItems(types: readonly string[] | DOMStringList | undefined | null): boolean {
  return Boolean(types && Array.from(types).includes(DRAG_TYPE));
}

/** "“Night Drive” (3 tracks)" for an album, "“Kite”" for one track, "3 tracks" for several. */
export function describeItems(items: DragItems, count: number): string {
  if (items.kind === 'album') return `“${items.title}” (${count} track${count === 1 ? '' : 's'})`;
  return count === 1 ? `“${items.title}”` : `${count} tracks`;
}
