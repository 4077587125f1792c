import { MantineProvider } from '@mantine/core';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { readFileSync } from 'node:fs';
import { MemoryRouter } from 'react-router-dom';
import { beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { QueuePanel } from '../components/QueuePanel';
import { ShortcutHelp } from '../components/ShortcutHelp';
import { ShortcutSettings } from '../components/ShortcutSettings';
import { handleShortcut } from '../hooks/useShortcuts';
import {
  actionFor,
  bind,
  comboFromEvent,
  comboLabel,
  conflictOf,
  type KeyPress,
  matches,
  normaliseCombo,
  resetOne,
  resolveBindings,
  SHORTCUT_IDS,
  SHORTCUTS,
} from '../lib/shortcuts';
import { usePlayer } from '../stores/player';
import { resetSettingsForTests, useSettings } from '../stores/settings';
import { theme } from '../theme';
import { state, track } from './helpers';

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

describe('key combinations', () => {
  it.each([
    [press(' '), 'Space'],
    [press('k', { ctrlKey: true }), 'Mod+K'],
    [press('K', { metaKey: true }), 'Mod+K'],
    [press('C', { shiftKey: true }), 'Shift+C'],
    [press('l'), 'L'],
    [press('?', { shiftKey: true }), '?'], // the character says Shift already
    [press('+', { shiftKey: true }), '+'],
    [press('ArrowLeft', { shiftKey: true }), 'Shift+ArrowLeft'],
    [press('Left'), 'ArrowLeft'],
    [press('Esc'), 'Escape'],
    [press('p', { ctrlKey: true, altKey: true, shiftKey: true }), 'Mod+Alt+Shift+P'],
    [press('F5'), 'F5'],
  ])('%o is %s', (event, combo) => {
    expect(comboFromEvent(event)).toBe(combo);
  });

  it('a modifier alone is no combination yet', () => {
    for (const key of ['Shift', 'Control', 'Alt', 'Meta', 'Dead', '']) expect(comboFromEvent(press(key, { shiftKey: true }))).toBeNull();
  });

  it.each([
    ['ctrl+k', 'Mod+K'],
    [' Shift + c ', 'Shift+C'],
    ['cmd+shift+alt+p', 'Mod+Alt+Shift+P'],
    ['space', 'Space'],
    ['+', '+'],
    ['Mod++', 'Mod++'],
    ['Hyper+L', null],
    ['', null],
  ])('normalises %j to %j', (text, combo) => {
    expect(normaliseCombo(text)).toBe(combo);
  });

  it('labels keys for people, Mac or not', () => {
    expect(comboLabel('Mod+K', false)).toEqual(['Ctrl', 'K']);
    expect(comboLabel('Mod+Shift+ArrowLeft', true)).toEqual(['⌘', '⇧', '←']);
    expect(comboLabel('Mod++', false)).toEqual(['Ctrl', '+']);
  });
});

describe('bindings', () => {
  it('the user’s binding replaces the defaults; unknown or unreadable ones are ignored', () => {
    const resolved = resolveBindings({ favourite: 'f', search: 'Hyper+Q', launch: 'R' });
    expect(resolved.favourite).toEqual(['F']);
    expect(resolved.search).toEqual(['Mod+K']);
    expect(resolved.volume_up).toEqual(['=', '+']);
    expect(Object.keys(resolved)).toEqual([...SHORTCUT_IDS]);
    expect(matches(press('f'), resolved.favourite)).toBe(true);
    expect(matches(press('l'), resolved.favourite)).toBe(false);
  });

  it('finds the action of a key in its scope', () => {
    const resolved = resolveBindings({});
    expect(actionFor(press('Delete'), resolved, 'queue')).toBe('queue_remove');
    expect(actionFor(press('Delete'), resolved, 'global')).toBeNull();
    expect(actionFor(press('a', { metaKey: true }), resolved, 'queue')).toBe('queue_select_all');
    expect(actionFor(press('l'), resolved, 'global')).toBe('favourite');
  });

  it('refuses a key another action uses, naming it, or swaps on request', () => {
    const refused = bind({}, 'favourite', 'Shift+C');
    expect(refused).toEqual({ ok: false, conflict: 'playing_album' });
    const swapped = bind({}, 'favourite', 'Shift+C', true);
    expect(swapped).toEqual({ ok: true, bindings: { favourite: 'Shift+C', playing_album: 'L' } });
    // A queue key counts too.
    expect(bind({}, 'help', 'Escape')).toEqual({ ok: false, conflict: 'queue_clear_selection' });
    expect(conflictOf('F', resolveBindings({}), 'favourite')).toBeNull();
  });

  it('keeps only what differs from the defaults', () => {
    expect(bind({ favourite: 'F' }, 'favourite', 'L')).toEqual({ ok: true, bindings: {} });
    // Several default keys: one chosen key is a change.
    expect(bind({}, 'volume_up', '=')).toEqual({ ok: true, bindings: { volume_up: '=' } });
  });

  it('resets one action, unless its default was taken meanwhile', () => {
    expect(resetOne({ favourite: 'F' }, 'favourite')).toEqual({ ok: true, bindings: {} });
    expect(resetOne({ favourite: 'F', help: 'L' }, 'favourite')).toEqual({ ok: false, conflict: 'help' });
  });

  it('every default is unique, and the server knows the same actions', () => {
    const all = SHORTCUTS.flatMap((s) => s.keys);
    expect(new Set(all).size).toBe(all.length);
    const python = readFileSync(`${process.cwd()}/../api/settings.py`, 'utf8');
    const tuple = /SHORTCUT_ACTIONS = \(([\s\S]*?)\)/.exec(python)?.[1] ?? '';
    expect([...tuple.matchAll(/"([a-z_]+)"/g)].map((m) => m[1])).toEqual([...SHORTCUT_IDS]);
  });
});

const wrap = (ui: React.ReactNode) =>
  render(
    <MantineProvider theme={theme}>
      <MemoryRouter>{ui}</MemoryRouter>
    </MantineProvider>,
  );

describe('the handler uses the user’s keys', () => {
  beforeEach(() => {
    resetSettingsForTests();
    usePlayer.getState().reset();
  });
  const actions = { search: vi.fn(), help: vi.fn(), album: vi.fn() };
  const key = (k: string, init: KeyboardEventInit = {}) =>
    handleShortcut(new KeyboardEvent('keydown', { key: k, cancelable: true, ...init }), actions);

  it('a rebound action answers to its new key only', () => {
    useSettings.setState({ settings: { ...useSettings.getState().settings, shortcuts: { help: 'H', volume_up: 'U' } } });
    expect(key('?')).toBe(false);
    expect(key('h')).toBe(true);
    expect(actions.help).toHaveBeenCalledTimes(1);
    expect(key('=')).toBe(false);
    key('u');
    expect(useSettings.getState().settings.volume).toBe(60);
  });

  it('a held key repeats only what adds up', () => {
    const togglePlay = vi.fn(async () => undefined);
    const real = usePlayer.getState().togglePlay;
    onTestFinished(() => usePlayer.setState({ togglePlay: real }));
    usePlayer.setState({ togglePlay });
    key(' ');
    key(' ', { repeat: true });
    expect(togglePlay).toHaveBeenCalledTimes(1);
    key('=', { repeat: true });
    expect(useSettings.getState().settings.volume).toBe(60);
  });
});

describe('the help dialog and Settings', () => {
  beforeEach(() => resetSettingsForTests());

  it('the help lists every action with the user’s keys, the queue’s too', async () => {
    useSettings.setState({ settings: { ...useSettings.getState().settings, shortcuts: { favourite: 'F' } } });
    wrap(<ShortcutHelp opened onClose={() => undefined} />);
    const help = await screen.findByTestId('shortcut-help');
    for (const s of SHORTCUTS) expect(help.textContent).toContain(s.pair ?? s.description);
    expect(help.querySelector('[data-shortcut="volume_up volume_down"]')!.textContent).toContain('Volume up / down');
    const row = help.querySelector('[data-shortcut="favourite"]')!;
    expect(row.textContent).toContain('F');
    expect(row.textContent).not.toContain('L');
    expect(help.querySelector('[data-shortcut="queue_remove"]')!.textContent).toContain('Backspace');
  });

  it('records a key, refuses a taken one (saying which action has it), swaps, resets', () => {
    wrap(<ShortcutSettings />);
    const record = (id: string) =>
      fireEvent.click(within(document.querySelector(`[data-shortcut="${id}"]`) as HTMLElement).getByTestId('shortcut-record'));
    record('favourite');
    expect(screen.getByText(/Press a key/)).toBeInTheDocument();
    fireEvent.keyDown(window, { key: 'Shift' }); // still waiting
    fireEvent.keyDown(window, { key: 'f' });
    expect(useSettings.getState().settings.shortcuts).toEqual({ favourite: 'F' });

    record('help');
    fireEvent.keyDown(window, { key: 'F' });
    const conflict = screen.getByTestId('shortcut-conflict');
    expect(conflict.textContent).toContain('F is already used for “Add the playing track to favourites, or remove it”');
    expect(useSettings.getState().settings.shortcuts).toEqual({ favourite: 'F' });
    fireEvent.click(within(conflict).getByRole('button', { name: 'Swap them' }));
    expect(useSettings.getState().settings.shortcuts).toEqual({ help: 'F', favourite: '?' });

    record('search');
    fireEvent.keyDown(window, { key: 'Escape' }); // cancels
    expect(useSettings.getState().settings.shortcuts).toEqual({ help: 'F', favourite: '?' });

    fireEvent.click(screen.getByTestId('shortcut-reset-all'));
    expect(useSettings.getState().settings.shortcuts).toEqual({});
    act(() => undefined);
  });
});

describe('QueuePanel keys follow the bindings', () => {
  beforeEach(() => {
    resetSettingsForTests();
    usePlayer.getState().reset();
    const queue = [1, 2].map((n) => ({ entry_id: 10 + n, track: track(n, `Queued ${n}`) }));
    usePlayer.setState({ state: state(1, track(9, 'Now'), { queue }) });
  });

  it('removes the selection with the rebound key, not the old one', () => {
    const queueRemoveMany = vi.fn(async () => undefined);
    const real = usePlayer.getState().queueRemoveMany;
    onTestFinished(() => usePlayer.setState({ queueRemoveMany: real }));
    usePlayer.setState({ queueRemoveMany });
    useSettings.setState({ settings: { ...useSettings.getState().settings, shortcuts: { queue_remove: 'X' } } });
    wrap(<QueuePanel />);
    fireEvent.click(screen.getAllByTestId('queue-entry')[0]);
    fireEvent.keyDown(screen.getByTestId('queue-list'), { key: 'Delete' });
    expect(queueRemoveMany).not.toHaveBeenCalled();
    fireEvent.keyDown(screen.getByTestId('queue-list'), { key: 'x' });
    expect(queueRemoveMany).toHaveBeenCalledWith([11]);
  });
});
