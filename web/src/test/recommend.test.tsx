import { MantineProvider } from '@mantine/core';
import { fireEvent, render, screen, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Mix, Similar } from '../api/types';
import { CardRow } from '../components/CardGrid';
import { MixCard } from '../components/cards';
import { SimilarTracks } from '../components/SimilarTracks';
import { usePlayer } from '../stores/player';
import { theme } from '../theme';
import { track } from './helpers';

function wrap(children: ReactNode) {
  return render(
    <MantineProvider theme={theme}>
      <MemoryRouter>{children}</MemoryRouter>
    </MantineProvider>,
  );
}

function mix(id: number, name: string, extra: Partial<Mix> = {}): Mix {
  return {
    id, kind: 'taste', name, description: 'Portishead, Massive Attack and more', cover_id: 'c'.repeat(40),
    track_count: 2, duration: 360, generated_at: '2026-11-24T08:00:00Z', tracks: [track(1), track(2)], ...extra,
  };
}

const original = usePlayer.getState().playContext;
afterEach(() => usePlayer.setState({ playContext: original }));

describe('MixCard', () => {
  it('shows the mix on a uniform card, links to it and plays it as a mix context', () => {
    const playContext = vi.fn(async () => undefined);
    usePlayer.setState({ playContext });
    wrap(<MixCard mix={mix(7, 'Portishead mix')} />);
    const card = screen.getByTestId('mix-card');
    expect(within(card).getByRole('link', { name: 'Portishead mix' }).getAttribute('href')).toBe('/mixes/7');
    expect(card.textContent).toContain('Portishead, Massive Attack and more');
    expect(card.querySelector('img')!.getAttribute('src')).toContain(`/api/v1/covers/${'c'.repeat(40)}`);
    fireEvent.click(within(card).getByRole('button', { name: 'Play Portishead mix' }));
    expect(playContext).toHaveBeenCalledWith({ type: 'mix', id: 7 });
  });

  it('has no play button when the mix is empty', () => {
    wrap(<MixCard mix={mix(8, 'Empty mix', { track_count: 0, tracks: [] })} />);
    expect(screen.queryByRole('button', { name: 'Play Empty mix' })).toBeNull();
  });

  it('makes a "Your mixes" row of cards', () => {
    wrap(<CardRow title="Your mixes" items={[mix(1, 'A mix'), mix(2, 'B mix')]} render={(m) => <MixCard key={m.id} mix={m} />} />);
    expect(screen.getByRole('region', { name: 'Your mixes' })).toBeInTheDocument();
  });
});

describe('SimilarTracks', () => {
  const result = (analysed: boolean): Similar => ({
    track_id: 1,
    analysed,
    items: [
      { ...track(2, 'Teardrop'), score: 1.2, reasons: ['sounds alike', 'same artist', 'same genre', 'same era'] },
      { ...track(3, 'Glory Box'), score: 0.4, reasons: ['same genre'] },
    ],
  });

  it('lists the tracks with their strongest reasons and plays from one', async () => {
    const onPlay = vi.fn(async () => undefined);
    wrap(<SimilarTracks result={result(true)} onPlay={onPlay} />);
    expect(screen.queryByTestId('not-analysed')).toBeNull();
    const rows = screen.getAllByTestId('track-row');
    expect(rows).toHaveLength(2);
    const reasons = within(rows[0]).getByTestId('reasons');
    expect([...reasons.children].map((b) => b.textContent)).toEqual(['sounds alike', 'same artist', 'same genre']);
    expect(within(rows[1]).getByTestId('reasons').textContent).toBe('same genre');
    fireEvent.click(within(rows[1]).getByRole('button', { name: 'Play Glory Box' }));
    expect(onPlay).toHaveBeenCalledWith(expect.objectContaining({ id: 3 }));
  });

  it('says when the results go by metadata only, and when there are none', () => {
    const { unmount } = wrap(<SimilarTracks result={result(false)} onPlay={async () => undefined} />);
    expect(screen.getByTestId('not-analysed').textContent).toContain('not been analysed yet');
    unmount();
    wrap(<SimilarTracks result={{ track_id: 1, analysed: true, items: [] }} onPlay={async () => undefined} />);
    expect(screen.getByText('Nothing similar yet')).toBeInTheDocument();
  });
});
