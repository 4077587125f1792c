// The keyboard shortcuts: every action, its default keys and what it does (the one list the
// handler, the help dialog and Settings all read), and the pure rules around them: a key
// combination from a KeyboardEvent, matching, conflicts, the user's bindings over the defaults.
//
// A combination is a string: modifiers in the order Mod (Ctrl, or ⌘ on a Mac), Alt, Shift, then
// the key: a letter upper-cased ("Shift+C"), "Space", a named key ("ArrowLeft", "Delete") or
// the character typed ("=", "?"). Shift is left out before a typed character other than a
// letter: the character already says it (Shift+/ is "?" on one layout, not on another).

export type ShortcutId =
  | 'play_pause'
  | 'previous'
  | 'next'
  | 'seek_back'
  | 'seek_forward'
  | 'volume_up'
  | 'volume_down'
  | 'search'
  | 'quick_search'
  | 'playing_album'
  | 'favourite'
  | 'help'
  | 'queue_remove'
  | 'queue_select_all'
  | 'queue_clear_selection';

export interface ShortcutDef {
  id: ShortcutId;
  /** The default combinations; a user's binding replaces them all with one. */
  keys: readonly string[];
  description: string;
  /** Where it works: everywhere, or in the queue's list of tracks (when it has the focus). */
  scope: 'global' | 'queue';
  /** A held key repeats it (what adds up: volume, seeking). */
  repeats?: boolean;
  /** The help shows a pair (up/down, back/forward) as one row under this label. */
  pair?: string;
}

export const SHORTCUTS: readonly ShortcutDef[] = [
  { id: 'play_pause', keys: ['Space'], description: 'Play / pause', scope: 'global' },
  { id: 'previous', keys: ['ArrowLeft'], description: 'Previous track (restarts it after 10 s)', scope: 'global', pair: 'Previous / next track' },
  { id: 'next', keys: ['ArrowRight'], description: 'Next track', scope: 'global', pair: 'Previous / next track' },
  { id: 'seek_back', keys: ['Shift+ArrowLeft'], description: 'Back 10 seconds', scope: 'global', repeats: true, pair: 'Back / forward 10 seconds' },
  { id: 'seek_forward', keys: ['Shift+ArrowRight'], description: 'Forward 10 seconds', scope: 'global', repeats: true, pair: 'Back / forward 10 seconds' },
  { id: 'volume_up', keys: ['=', '+'], description: 'Volume up', scope: 'global', repeats: true, pair: 'Volume up / down' },
  { id: 'volume_down', keys: ['-', '_'], description: 'Volume down', scope: 'global', repeats: true, pair: 'Volume up / down' },
  { id: 'search', keys: ['Mod+K'], description: 'Search (also from a text field)', scope: 'global' },
  { id: 'quick_search', keys: ['/'], description: 'Search', scope: 'global' },
  { id: 'playing_album', keys: ['Shift+C'], description: 'Go to the playing album', scope: 'global' },
  { id: 'favourite', keys: ['L'], description: 'Add the playing track to favourites, or remove it', scope: 'global' },
  { id: 'help', keys: ['?'], description: 'This help', scope: 'global' },
  { id: 'queue_remove', keys: ['Delete', 'Backspace'], description: 'Queue: remove the selected tracks', scope: 'queue' },
  { id: 'queue_select_all', keys: ['Mod+A'], description: 'Queue: select every track shown', scope: 'queue' },
  { id: 'queue_clear_selection', keys: ['Escape'], description: 'Queue: clear the selection', scope: 'queue' },
];

/** Keys that are not actions of their own and cannot be rebound (shown in the help). */
export const FIXED_KEYS: readonly { keys: readonly string[]; description: string }[] = [
  { keys: ['ArrowLeft', 'ArrowUp', 'ArrowDown', 'ArrowRight', 'Home', 'End'], description: 'On a card: move between cards' },
  { keys: ['Click', 'Shift+Click', 'Mod+Click'], description: 'Queue: select a track, a range, one more' },
];

export interface HelpRow {
  ids: ShortcutId[];
  /** The keys of each action in the row (two for a pair). */
  keys: (readonly string[])[];
  description: string;
}

/** The help's rows: one per action, a pair sharing one row, as Navidrome's help shows them. */
export function helpRows(resolved: Resolved): HelpRow[] {
  const rows: HelpRow[] = [];
  for (const def of SHORTCUTS) {
    const last = rows[rows.length - 1];
    if (def.pair && last && last.description === def.pair) {
      last.ids.push(def.id);
      last.keys.push(resolved[def.id]);
    } else {
      rows.push({ ids: [def.id], keys: [resolved[def.id]], description: def.pair ?? def.description });
    }
  }
  return rows;
}

export const SHORTCUT_IDS: readonly ShortcutId[] = SHORTCUTS.map((s) => s.id);

export function isShortcutId(id: string): id is ShortcutId {
  return (SHORTCUT_IDS as readonly string[]).includes(id);
}

/** The user's bindings as stored in their settings: action id → one combination. */
export type Bindings = Partial<Record<ShortcutId, string>>;
/** What each action answers to now. */
export type Resolved = Record<ShortcutId, readonly string[]>;

/** The subset of a KeyboardEvent the rules read (so tests need no DOM). */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

const MODIFIER_KEYS = new Set(['Shift', 'Control', 'Alt', 'Meta', 'AltGraph', 'CapsLock', 'OS', 'Fn', 'Hyper', 'Super']);
const KEY_NAMES: Record<string, string> = { ' ': 'Space', Spacebar: 'Space', Esc: 'Escape', Del: 'Delete', Left: 'ArrowLeft', Right: 'ArrowRight', Up: 'ArrowUp', Down: 'ArrowDown' };

/** The combination a key press stands for; null for a modifier pressed alone (or no key). */
export function comboFromEvent(event: KeyPress): string | null {
  const raw = KEY_NAMES[event.key] ?? event.key;
  if (!raw || MODIFIER_KEYS.has(raw) || raw === 'Unidentified' || raw === 'Dead') return null;
  const letter = raw.length === 1 && raw.toLowerCase() !== raw.toUpperCase();
  const typed = raw.length === 1 && !letter; // "=", "?", "/", digits…
  const key = letter ? raw.toUpperCase() : raw;
  const parts: string[] = [];
  if (event.ctrlKey || event.metaKey) parts.push('Mod');
  if (event.altKey) parts.push('Alt');
  if (event.shiftKey && !typed) parts.push('Shift');
  parts.push(key);
  return parts.join('+');
}

/** A combination written any way ("ctrl+k", "shift + c", "Cmd+K") in its canonical form;
 *  null when it is not one. */
export function normaliseCombo(text: string): string | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  // "+" alone, or last after modifiers ("Mod++"), is the key itself.
  const tokens = trimmed.endsWith('++') ? [...trimmed.slice(0, -2).split('+'), '+'] : trimmed === '+' ? ['+'] : trimmed.split('+');
  const parts = tokens.map((t) => t.trim());
  const key = parts.pop();
  if (!key) return null;
  const press: KeyPress = { key: key.length === 1 ? key : KEY_NAMES[key] ?? key, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false };
  for (const mod of parts) {
    const m = mod.toLowerCase();
    if (['mod', 'ctrl', 'control', 'cmd', 'command', 'meta', '⌘'].includes(m)) press.ctrlKey = true;
    else if (['alt', 'option', '⌥'].includes(m)) press.altKey = true;
    else if (['shift', '⇧'].includes(m)) press.shiftKey = true;
    else return null;
  }
  if (key.toLowerCase() === 'space') press.key = ' ';
  return comboFromEvent(press);
}

/** The user's bindings over the defaults. Unknown ids and unreadable combinations are
 *  ignored (a binding saved by a newer version, say), so the default stands. */
export function resolveBindings(user: Record<string, unknown> | null | undefined): Resolved {
  const out = {} as Record<ShortcutId, readonly string[]>;
  for (const def of SHORTCUTS) {
    const mine = user?.[def.id];
    const combo = typeof mine === 'string' ? normaliseCombo(mine) : null;
    out[def.id] = combo ? [combo] : def.keys;
  }
  return out;
}

/** Whether a key press is one of the combinations. */
export function matches(event: KeyPress, combos: readonly string[]): boolean {
  const combo = comboFromEvent(event);
  return combo !== null && combos.includes(combo);
}

/** The action of `scope` that a key press stands for, if any. */
export function actionFor(event: KeyPress, resolved: Resolved, scope: ShortcutDef['scope']): ShortcutId | null {
  const combo = comboFromEvent(event);
  if (combo === null) return null;
  return SHORTCUTS.find((s) => s.scope === scope && resolved[s.id].includes(combo))?.id ?? null;
}

/** The other action that already answers to `combo`, if any. Every action counts, whatever
 *  its scope: the queue's keys reach the window too when the queue has no selection. */
export function conflictOf(combo: string, resolved: Resolved, except: ShortcutId): ShortcutId | null {
  return SHORTCUTS.find((s) => s.id !== except && resolved[s.id].includes(combo))?.id ?? null;
}

export function shortcutDef(id: ShortcutId): ShortcutDef {
  return SHORTCUTS.find((s) => s.id === id) as ShortcutDef;
}

export type BindResult =
  | { ok: true; bindings: Bindings }
  | { ok: false; conflict: ShortcutId };

/** Bind `id` to `combo`. A combination another action uses is refused (naming it) unless
 *  `swap`: then that action takes over `id`'s first key. Bindings equal to the defaults are
 *  dropped, so the stored document holds only what the user changed. */
export function bind(bindings: Bindings, id: ShortcutId, combo: string, swap = false): BindResult {
  const resolved = resolveBindings(bindings);
  const other = conflictOf(combo, resolved, id);
  const next: Bindings = { ...bindings, [id]: combo };
  if (other) {
    if (!swap) return { ok: false, conflict: other };
    next[other] = resolved[id][0];
  }
  return { ok: true, bindings: withoutDefaults(next) };
}

/** Put one action back to its default keys; refused when another action took one of them. */
export function resetOne(bindings: Bindings, id: ShortcutId): BindResult {
  const next: Bindings = { ...bindings };
  delete next[id];
  const resolved = resolveBindings(next);
  for (const combo of shortcutDef(id).keys) {
    const other = conflictOf(combo, resolved, id);
    if (other) return { ok: false, conflict: other };
  }
  return { ok: true, bindings: next };
}

function withoutDefaults(bindings: Bindings): Bindings {
  const out: Bindings = {};
  for (const def of SHORTCUTS) {
    const combo = bindings[def.id];
    if (combo && !(def.keys.length === 1 && def.keys[0] === combo)) out[def.id] = combo;
  }
  return out;
}

const MAC_LABELS: Record<string, string> = { Mod: '⌘', Alt: '⌥', Shift: '⇧' };
const ARROWS: Record<string, string> = { ArrowLeft: '←', ArrowRight: '→', ArrowUp: '↑', ArrowDown: '↓' };

/** A combination as people read it: its parts, for one <Kbd> each ("Ctrl" "K", "⌘" "K"). */
export function comboLabel(combo: string, mac: boolean): string[] {
  const parts = combo.endsWith('++') ? [...combo.slice(0, -2).split('+'), '+'] : combo === '+' ? ['+'] : combo.split('+');
  return parts.map((p) => (mac && MAC_LABELS[p]) || (p === 'Mod' ? 'Ctrl' : ARROWS[p] ?? p));
}
