import { MantineProvider } from '@mantine/core';
import { fireEvent, render, screen, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { Cover } from '../components/Cover';
import { MediaCard } from '../components/MediaCard';
import { PlayerBar } from '../components/PlayerBar';
import { QueuePanel } from '../components/QueuePanel';
import { handleShortcut } from '../hooks/useShortcuts';
import { usePlayer } from '../stores/player';
import { resetSettingsForTests, useSettings } from '../stores/settings';
import { theme } from '../theme';
import { state, track } from './helpers';

function wrap(children: ReactNode) {
  return render(
    <MantineProvider theme={theme}>
      <MemoryRouter>{children}</MemoryRouter>
    </MantineProvider>,
  );
}

describe('Cover', () => {
  it('asks for one fixed size with a 2× variant, and the placeholder without art', () => {
    const { container } = wrap(
      <>
        <Cover coverId={'a'.repeat(40)} alt="with" />
        <Cover coverId={null} alt="without" />
      </>,
    );
    const [withArt, without] = container.querySelectorAll('img');
    expect(withArt.getAttribute('src')).toBe(`/api/v1/covers/${'a'.repeat(40)}?width=300&height=300`);
    expect(withArt.getAttribute('srcset')).toContain('width=600&height=600 2x');
    expect(without.getAttribute('src')).toBe('/api/v1/covers/placeholder?width=300&height=300');
  });

  it('falls back to the placeholder when the image fails', () => {
    const { container } = wrap(<Cover coverId={'b'.repeat(40)} alt="" />);
    fireEvent.error(container.querySelector('img')!);
    expect(container.querySelector('img')!.getAttribute('src')).toContain('/covers/placeholder');
  });
});

describe('MediaCard', () => {
  it('links to the item and plays from its button', () => {
    const onPlay = vi.fn(async () => undefined);
    wrap(<MediaCard to="/albums/3" title="Mezzanine" subtitle="Massive Attack" onPlay={onPlay} />);
    expect(screen.getByRole('link', { name: 'Mezzanine' }).getAttribute('href')).toBe('/albums/3');
    fireEvent.click(screen.getByRole('button', { name: 'Play Mezzanine' }));
    expect(onPlay).toHaveBeenCalled();
  });
});

describe('PlayerBar', () => {
  beforeEach(() => {
    resetSettingsForTests();
    usePlayer.getState().reset();
    usePlayer.setState({ state: null });
  });

  it('shows the current track, the controls and the volume', () => {
    usePlayer.getState().apply(state(1, track(1, 'Teardrop'), { shuffle: true, repeat: 'one' }), 'initial');
    wrap(<PlayerBar />);
    expect(screen.getByTestId('now-title').textContent).toBe('Teardrop');
    for (const name of ['Previous', 'Play', 'Next', 'Shuffle', 'Repeat one', 'Queue', 'Visualizers']) {
      expect(screen.getByRole('button', { name })).toBeInTheDocument();
    }
    expect(screen.getByRole('button', { name: 'Shuffle' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByRole('slider', { name: 'Volume' }).getAttribute('aria-valuenow')).toBe('50');
  });

  it('mutes and unmutes', () => {
    wrap(<PlayerBar />);
    fireEvent.click(screen.getByRole('button', { name: 'Mute' }));
    expect(useSettings.getState().settings.volume).toBe(0);
    fireEvent.click(screen.getByRole('button', { name: 'Unmute' }));
    expect(useSettings.getState().settings.volume).toBe(50);
  });
});

describe('keyboard shortcuts', () => {
  beforeEach(() => resetSettingsForTests());
  beforeEach(() => {
    vi.clearAllMocks();
    usePlayer.getState().reset();
    usePlayer.setState({ state: null });
  });
  const actions = { search: vi.fn(), help: vi.fn(), album: vi.fn() };
  const key = (k: string, target: EventTarget = document.body, init: KeyboardEventInit = {}) => {
    const event = new KeyboardEvent('keydown', { key: k, cancelable: true, ...init });
    Object.defineProperty(event, 'target', { value: target });
    return handleShortcut(event, actions);
  };

  it('changes the volume by ten and ignores typing in fields', () => {
    expect(key('=')).toBe(true);
    expect(useSettings.getState().settings.volume).toBe(60);
    key('-');
    key('-');
    expect(useSettings.getState().settings.volume).toBe(40);
    expect(key('-', document.createElement('input'))).toBe(false);
    expect(useSettings.getState().settings.volume).toBe(40);
    key('?');
    expect(actions.help).toHaveBeenCalled();
  });

  it('Mod+K searches, even from a text field; other Ctrl keys stay the browser\'s', () => {
    expect(key('k', document.createElement('input'), { ctrlKey: true })).toBe(true);
    expect(key('K', document.body, { metaKey: true })).toBe(true);
    expect(actions.search).toHaveBeenCalledTimes(2);
    expect(key('k', document.body, { ctrlKey: true, shiftKey: true })).toBe(false);
    expect(key('=', document.body, { ctrlKey: true })).toBe(false);
    expect(useSettings.getState().settings.volume).toBe(50);
  });

  it('Shift+C opens the playing album, and does nothing with nothing playing', () => {
    expect(key('C', document.body, { shiftKey: true })).toBe(false);
    usePlayer.getState().apply(state(1, track(1, 'Teardrop')), 'initial');
    expect(key('c')).toBe(false);
    expect(key('C', document.body, { shiftKey: true })).toBe(true);
    expect(actions.album).toHaveBeenCalledWith(7);
  });

  it('Shift+arrows seek ten seconds; plain arrows step tracks', () => {
    const seek = vi.fn();
    const previous = vi.fn(async () => undefined);
    const next = vi.fn(async () => undefined);
    const { seek: realSeek, previous: realPrevious, next: realNext } = usePlayer.getState();
    onTestFinished(() => usePlayer.setState({ seek: realSeek, previous: realPrevious, next: realNext }));
    usePlayer.setState({ seek, previous, next, currentTime: 42 });
    key('ArrowRight', document.body, { shiftKey: true });
    expect(seek).toHaveBeenLastCalledWith(52);
    usePlayer.setState({ currentTime: 4 });
    key('ArrowLeft', document.body, { shiftKey: true });
    expect(seek).toHaveBeenLastCalledWith(0);
    key('ArrowLeft');
    key('ArrowRight');
    expect(previous).toHaveBeenCalledTimes(1);
    expect(next).toHaveBeenCalledTimes(1);
  });

  it('leaves keys a focused widget already took', () => {
    const event = new KeyboardEvent('keydown', { key: ' ', cancelable: true });
    event.preventDefault();
    expect(handleShortcut(event, actions)).toBe(false);
  });
});

describe('QueuePanel', () => {
  beforeEach(() => {
    usePlayer.getState().reset();
    const queue = [1, 2, 3].map((n) => ({ entry_id: 10 + n, track: track(n, `Queued ${n}`) }));
    usePlayer.setState({ state: state(1, track(9, 'Now'), { queue }) });
  });

  // Mantine's menus open with a transition jsdom never finishes: query hidden nodes too.
  const openMenu = async (title: string) => {
    fireEvent.click(screen.getByRole('button', { name: `More for ${title}` }));
    return screen.findByRole('menu', { hidden: true });
  };
  const item = (menu: HTMLElement, name: string) => within(menu).queryByRole('menuitem', { name, hidden: true });

  it.each([
    ['Queued 1', 'Move to bottom', 11, 2, 'Play next'],
    ['Queued 3', 'Play next', 13, 0, 'Move to bottom'],
    ['Queued 2', 'Play next', 12, 0, ''],
    ['Queued 2', 'Move to bottom', 12, 2, ''],
  ])('%s: "%s" moves entry %i to index %i (not offered: "%s")', async (title, action, entryId, index, absent) => {
    const queueMove = vi.fn(async () => undefined);
    const real = usePlayer.getState().queueMove;
    onTestFinished(() => usePlayer.setState({ queueMove: real }));
    usePlayer.setState({ queueMove });
    wrap(<QueuePanel />);
    const menu = await openMenu(title);
    if (absent) expect(item(menu, absent)).toBeNull();
    fireEvent.click(item(menu, action)!);
    expect(queueMove).toHaveBeenCalledWith(entryId, index);
  });

  it('removes an entry from its menu', async () => {
    const queueRemove = vi.fn(async () => undefined);
    const real = usePlayer.getState().queueRemove;
    onTestFinished(() => usePlayer.setState({ queueRemove: real }));
    usePlayer.setState({ queueRemove });
    wrap(<QueuePanel />);
    const menu = await openMenu('Queued 2');
    fireEvent.click(item(menu, 'Remove from queue')!);
    expect(queueRemove).toHaveBeenCalledWith(12);
  });
});
