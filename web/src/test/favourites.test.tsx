import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FavouriteButton } from '../components/FavouriteButton';
import { type Entry, favouriteKey, learned, requested, settled, useFavourites } from '../stores/favourites';
import { theme } from '../theme';

afterEach(() => vi.unstubAllGlobals());

describe('favourite toggles (pure rules)', () => {
  it('shows a toggle at once and keeps it when the server takes it', () => {
    const asked = requested(undefined, true, false);
    expect(asked).toEqual({ value: true, confirmed: false, pending: 1 });
    expect(settled(asked, true, true)).toEqual({ value: true, confirmed: true, pending: 0 });
  });

  it('rolls a refused toggle back to what the server last said', () => {
    const asked = requested(undefined, true, false);
    expect(settled(asked, true, false)).toEqual({ value: false, confirmed: false, pending: 0 });
    const known: Entry = { value: true, confirmed: true, pending: 0 };
    expect(settled(requested(known, false, true), false, false).value).toBe(true);
  });

  it('lets the last of several toggles in flight decide', () => {
    let e = requested(undefined, true, false); // on…
    e = requested(e, false, true); // …and off again before the first answer
    expect(e).toEqual({ value: false, confirmed: false, pending: 2 });
    e = settled(e, true, false); // the first is refused: the second still decides
    expect(e.value).toBe(false);
    e = settled(e, false, true);
    expect(e).toEqual({ value: false, confirmed: false, pending: 0 });

    let f = requested(undefined, true, false);
    f = requested(f, false, true);
    f = settled(f, true, true); // the first is taken, the second refused: back to on
    f = settled(f, false, false);
    expect(f).toEqual({ value: true, confirmed: true, pending: 0 });
  });

  it('keeps what a toggle here made over a flag learned later', () => {
    const mine: Entry = { value: true, confirmed: true, pending: 0 };
    expect(learned(mine, false)).toBe(mine);
    expect(learned(undefined, false)).toEqual({ value: false, confirmed: false, pending: 0 });
  });
});

/** A fetch whose answers the test releases one by one, recording what was asked. */
function heldFetch() {
  const calls: { url: string; method: string; release(status: number): void }[] = [];
  vi.stubGlobal(
    'fetch',
    (url: string, init?: RequestInit) =>
      new Promise<Response>((resolve) => {
        calls.push({
          url,
          method: init?.method ?? 'GET',
          release: (status) =>
            resolve(
              status === 204
                ? new Response(null, { status })
                : new Response(JSON.stringify({ error: { code: 'internal_error', message: 'something went wrong' } }), { status }),
            ),
        });
      }),
  );
  return calls;
}

const flush = () => act(async () => await new Promise((r) => setTimeout(r, 0)));

describe('favourites store', () => {
  beforeEach(() => useFavourites.getState().reset());

  it('sends the toggles of one item one after another, in order', async () => {
    const calls = heldFetch();
    const store = useFavourites.getState();
    const first = store.set('albums', 3, true, false);
    const second = store.set('albums', 3, false, true);
    await flush();
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['PUT /api/v1/me/favourites/albums/3']);
    calls[0].release(204);
    await first;
    await flush();
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'PUT /api/v1/me/favourites/albums/3',
      'DELETE /api/v1/me/favourites/albums/3',
    ]);
    calls[1].release(204);
    await second;
    expect(useFavourites.getState().entries[favouriteKey('albums', 3)]).toEqual({ value: false, confirmed: false, pending: 0 });
    expect(useFavourites.getState().changes).toBe(2);
  });

  it('rolls back and rejects when the server refuses', async () => {
    const calls = heldFetch();
    const done = useFavourites.getState().set('tracks', 9, true, false);
    expect(useFavourites.getState().entries[favouriteKey('tracks', 9)].value).toBe(true);
    await flush();
    calls[0].release(500);
    await expect(done).rejects.toThrow('something went wrong');
    expect(useFavourites.getState().entries[favouriteKey('tracks', 9)].value).toBe(false);
    expect(useFavourites.getState().changes).toBe(0);
  });
});

describe('FavouriteButton', () => {
  beforeEach(() => useFavourites.getState().reset());

  it('flips every view of the item at once, and back when the server refuses', async () => {
    const calls = heldFetch();
    render(
      <MantineProvider theme={theme}>
        <Notifications />
        <MemoryRouter>
          <FavouriteButton kind="albums" id={5} flag={false} name="Mezzanine" testId="one" />
          <FavouriteButton kind="albums" id={5} flag={false} name="Mezzanine" testId="two" />
        </MemoryRouter>
      </MantineProvider>,
    );
    const one = screen.getByTestId('one');
    const two = screen.getByTestId('two');
    expect(one).toHaveAttribute('aria-pressed', 'false');
    expect(one).toHaveAccessibleName('Add to favourites: Mezzanine');
    fireEvent.click(one);
    expect(one).toHaveAttribute('aria-pressed', 'true');
    expect(two).toHaveAttribute('aria-pressed', 'true');
    expect(two).toHaveAccessibleName('Remove from favourites: Mezzanine');
    await flush();
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['PUT /api/v1/me/favourites/albums/5']);
    calls[0].release(500);
    await waitFor(() => expect(two).toHaveAttribute('aria-pressed', 'false'));
    expect(one).toHaveAttribute('aria-pressed', 'false');
    expect(await screen.findByText('Cannot change your favourites')).toBeInTheDocument();
  });

  it('asks about a track that came without its flag before it can be pressed', async () => {
    const calls: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      calls.push(url);
      return new Response(JSON.stringify({ id: 4, title: 'Angel', favourite: true }), { status: 200 });
    });
    render(
      <MantineProvider theme={theme}>
        <FavouriteButton kind="tracks" id={4} name="Angel" testId="heart" />
      </MantineProvider>,
    );
    const heart = screen.getByTestId('heart');
    expect(heart).toBeDisabled();
    await waitFor(() => expect(heart).toHaveAttribute('aria-pressed', 'true'));
    expect(heart).not.toBeDisabled();
    expect(calls).toEqual(['/api/v1/tracks/4']);
  });
});
