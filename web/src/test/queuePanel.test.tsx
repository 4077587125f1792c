import { MantineProvider } from '@mantine/core';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { QueuePanel } from '../components/QueuePanel';
import { usePlayer } from '../stores/player';
import { theme } from '../theme';
import { state, track } from './helpers';

function wrap() {
  return render(
    <MantineProvider theme={theme}>
      <MemoryRouter>
        <QueuePanel />
      </MemoryRouter>
    </MantineProvider>,
  );
}

/** Replace one store action by a spy for the test. */
function spy<K extends 'queueMove' | 'queueRemove' | 'queueRemoveMany' | 'queuePlay'>(name: K) {
  const fn = vi.fn(async () => undefined);
  const real = usePlayer.getState()[name];
  onTestFinished(() => usePlayer.setState({ [name]: real }));
  usePlayer.setState({ [name]: fn });
  return fn;
}

const rows = () => screen.getAllByTestId('queue-entry');
const titles = () => rows().map((r) => within(r).getAllByText(/./)[0].textContent);
const row = (title: string) => rows().find((r) => r.textContent?.includes(title))!;

describe('QueuePanel filter and selection', () => {
  beforeEach(() => {
    usePlayer.getState().reset();
    const queue = [
      { entry_id: 11, track: { ...track(1, 'Kite'), artist: 'Marrow', album: 'Paper Suns' } },
      { entry_id: 12, track: { ...track(2, 'Héadlights'), artist: 'Aurora Lane', album: 'Night Drive' } },
      { entry_id: 13, track: { ...track(3, 'Ember'), artist: 'Marrow', album: 'Paper Suns' } },
      { entry_id: 14, track: { ...track(4, 'Overpass'), artist: 'Aurora Lane', album: 'Night Drive' } },
    ];
    usePlayer.setState({ state: state(1, track(9, 'Now'), { queue }) });
  });

  it('filters accent- and case-insensitively; actions keep the real queue positions', async () => {
    const queueMove = spy('queueMove');
    wrap();
    const field = screen.getByRole('textbox', { name: 'Filter the queue' });
    fireEvent.change(field, { target: { value: 'HEADLIGHTS' } });
    expect(titles()).toEqual(['Héadlights']);
    expect(screen.getByTestId('queue-filter-hint').textContent).toContain('Clear the filter to reorder');
    // Shown first, but second in the queue: "Play next" is offered and moves the right entry.
    fireEvent.click(screen.getByRole('button', { name: 'More for Héadlights' }));
    const menu = await screen.findByRole('menu', { hidden: true });
    fireEvent.click(within(menu).getByRole('menuitem', { name: 'Play next', hidden: true }));
    expect(queueMove).toHaveBeenCalledWith(12, 0);

    fireEvent.change(field, { target: { value: 'paper suns' } });
    expect(titles()).toEqual(['Kite', 'Ember']);
    fireEvent.keyDown(field, { key: 'Escape' });
    expect(field).toHaveValue('');
    expect(titles()).toEqual(['Kite', 'Héadlights', 'Ember', 'Overpass']);
    expect(screen.queryByTestId('queue-filter-hint')).toBeNull();
  });

  it('says when nothing matches, and the clear button restores the list', () => {
    wrap();
    fireEvent.change(screen.getByRole('textbox', { name: 'Filter the queue' }), { target: { value: 'zzz' } });
    expect(screen.queryAllByTestId('queue-entry')).toHaveLength(0);
    expect(screen.getByText(/No queued track matches/)).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Clear the filter' }));
    expect(rows()).toHaveLength(4);
  });

  it('selects with click, Ctrl+click and Shift+click; Delete removes the selection', () => {
    const queueRemoveMany = spy('queueRemoveMany');
    wrap();
    fireEvent.click(row('Kite'));
    fireEvent.click(row('Ember'), { ctrlKey: true });
    expect(rows().map((r) => r.hasAttribute('data-selected'))).toEqual([true, false, true, false]);
    fireEvent.click(row('Overpass'), { shiftKey: true });
    expect(rows().map((r) => r.hasAttribute('data-selected'))).toEqual([false, false, true, true]);
    expect(screen.getByTestId('queue-remove-selected').textContent).toContain('Remove 2');
    fireEvent.keyDown(screen.getByTestId('queue-list'), { key: 'Delete' });
    expect(queueRemoveMany).toHaveBeenCalledWith([13, 14]);
    expect(rows().some((r) => r.hasAttribute('data-selected'))).toBe(false);
  });

  it('ranges over the filtered rows only, and Delete takes no hidden row', () => {
    const queueRemoveMany = spy('queueRemoveMany');
    wrap();
    fireEvent.click(row('Héadlights')); // selected, then hidden by the filter
    fireEvent.change(screen.getByRole('textbox', { name: 'Filter the queue' }), { target: { value: 'marrow' } });
    fireEvent.click(row('Kite'), { ctrlKey: true });
    fireEvent.click(row('Ember'), { shiftKey: true });
    fireEvent.keyDown(screen.getByTestId('queue-list'), { key: 'Delete' });
    expect(queueRemoveMany).toHaveBeenCalledWith([11, 13]);
  });

  it('plays an entry from its menu and on a double-click', async () => {
    const queuePlay = spy('queuePlay');
    wrap();
    fireEvent.doubleClick(row('Ember'));
    expect(queuePlay).toHaveBeenCalledWith(13);
    fireEvent.click(screen.getByRole('button', { name: 'More for Overpass' }));
    const menu = await screen.findByRole('menu', { hidden: true });
    fireEvent.click(within(menu).getByRole('menuitem', { name: 'Play', hidden: true }));
    expect(queuePlay).toHaveBeenCalledWith(14);
  });

  it('a click on a row’s buttons does not select it', () => {
    const queueRemove = spy('queueRemove');
    wrap();
    fireEvent.click(screen.getByRole('button', { name: 'Remove Kite from the queue' }));
    expect(queueRemove).toHaveBeenCalledWith(11);
    expect(row('Kite').hasAttribute('data-selected')).toBe(false);
  });
});
