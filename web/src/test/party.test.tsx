import { MantineProvider } from '@mantine/core';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import type { Party } from '../api/types';
import type { AudioEngine } from '../audio/engine';
import { Follower } from '../audio/follower';
import { hostAway, inviteUrl, PartyMenu } from '../components/PartyMenu';
import { MAX_RATE_CHANGE } from '../lib/clock';
import { joinErrorText } from '../pages/JoinParty';
import { useParty } from '../stores/party';
import { theme } from '../theme';
import { mockFetch } from './helpers';

class FakeAudio extends EventTarget {
  currentTime = 0;
  paused = true;
  duration = 30;
  playbackRate = 1;
  pause() {
    this.paused = true;
  }
  removeAttribute() {}
}

function fakeEngine() {
  const audio = new FakeAudio();
  const engine = {
    audio,
    loads: [] as string[],
    load(url: string) {
      engine.loads.push(url);
    },
    seek(seconds: number) {
      audio.currentTime = seconds;
    },
    async play() {
      audio.paused = false;
      return true;
    },
    async resume() {},
  };
  return engine;
}

describe('a member follows the party on the server clock', () => {
  let now = 100_000;
  const serverNow = () => now;
  const timeline = { track_id: 5, position_ms: 10_000, playing: true, server_time_ms: 99_000 };
  let engine: ReturnType<typeof fakeEngine>;
  let follower: Follower;

  beforeEach(() => {
    vi.useFakeTimers();
    now = 100_000;
    engine = fakeEngine();
    follower = new Follower(engine as unknown as AudioEngine, serverNow);
  });
  afterEach(() => {
    follower.stop();
    vi.useRealTimers();
  });

  it('loads a new track and starts it where the party is once it can play', () => {
    follower.apply(timeline, true);
    expect(engine.loads).toEqual(['/api/v1/tracks/5/stream']);
    expect(engine.audio.paused).toBe(true);
    now += 400; // loading took 0.4 s: the party moved on meanwhile
    engine.audio.dispatchEvent(new Event('canplay'));
    expect(engine.audio.currentTime).toBeCloseTo(11.4, 6);
    expect(engine.audio.paused).toBe(false);
  });

  it('nudges the rate for a small drift and seeks for a large one', () => {
    follower.apply(timeline, true);
    engine.audio.dispatchEvent(new Event('canplay'));
    // One second later the element is 80 ms ahead: a touch slower.
    now += 1000;
    engine.audio.currentTime = 12.08;
    vi.advanceTimersByTime(1000);
    expect(engine.audio.playbackRate).toBeLessThan(1);
    expect(engine.audio.playbackRate).toBeGreaterThanOrEqual(1 - MAX_RATE_CHANGE);
    expect(engine.audio.currentTime).toBe(12.08);
    // Back in line: normal speed again.
    now += 1000;
    engine.audio.currentTime = 13.005;
    vi.advanceTimersByTime(1000);
    expect(engine.audio.playbackRate).toBe(1);
    // Two seconds behind (the tab was asleep): a seek.
    now += 1000;
    engine.audio.currentTime = 12;
    vi.advanceTimersByTime(1000);
    expect(engine.audio.currentTime).toBeCloseTo(14, 6);
  });

  it('goes exactly where the host went, and stops where the host paused', () => {
    follower.apply(timeline, true);
    engine.audio.dispatchEvent(new Event('canplay'));
    follower.apply({ ...timeline, position_ms: 60, server_time_ms: now }, true);
    expect(engine.audio.currentTime).toBeCloseTo(0.06, 6);
    follower.apply({ ...timeline, position_ms: 7_500, playing: false, server_time_ms: now }, true);
    expect(engine.audio.paused).toBe(true);
    expect(engine.audio.currentTime).toBe(7.5);
    expect(engine.loads).toHaveLength(1); // the same track all along
  });

  it('a host drift report only nudges', () => {
    follower.apply(timeline, true);
    engine.audio.dispatchEvent(new Event('canplay'));
    engine.audio.currentTime += 0.1; // 100 ms ahead
    follower.apply(timeline, false);
    expect(engine.audio.playbackRate).toBeLessThan(1);
    expect(engine.audio.currentTime).toBeCloseTo(11.1, 6);
  });
});

function wrap(children: ReactNode) {
  return render(
    <MantineProvider theme={theme}>
      <MemoryRouter>{children}</MemoryRouter>
    </MantineProvider>,
  );
}

const PARTY: Party = {
  id: 'abcDEF123_-xyz',
  link: '/party/abcDEF123_-xyz',
  host: { id: 1, name: 'ada' },
  members: [
    { id: 1, name: 'ada', host: true, online: true },
    { id: 2, name: 'bob', host: false, online: true },
  ],
  require_code: true,
  allow_suggestions: false,
  you_are_host: true,
  created_at: '2025-01-01T00:00:00Z',
  ended: false,
  code: '0427',
  code_rotated: false,
};

describe('the listen-party menu', () => {
  afterEach(() => {
    useParty.setState({ party: null });
    vi.unstubAllGlobals();
  });

  it('starts a party, with a code when the box is ticked', async () => {
    const calls = mockFetch(PARTY);
    vi.stubGlobal('WebSocket', class { close() {} send() {} });
    wrap(<PartyMenu />);
    fireEvent.click(screen.getByTestId('party-menu'));
    fireEvent.click(await screen.findByLabelText('Require a 4-digit code'));
    fireEvent.click(screen.getByTestId('start-party'));
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]).toMatchObject({ url: '/api/v1/parties', method: 'POST', body: { require_code: true } });
    await waitFor(() => expect(screen.getByTestId('party-code').textContent).toBe('0427'));
    useParty.getState().reset();
  });

  it('shows the host the code and the link, and a member neither code nor controls', async () => {
    useParty.setState({ party: PARTY });
    const { unmount } = wrap(<PartyMenu />);
    fireEvent.click(screen.getByTestId('party-menu'));
    expect((await screen.findByTestId('party-code')).textContent).toBe('0427');
    expect((screen.getByTestId('party-link') as HTMLInputElement).value).toBe(inviteUrl(PARTY));
    unmount();

    const { code: _code, code_rotated: _rotated, ...seen } = PARTY;
    useParty.setState({ party: { ...seen, you_are_host: false } });
    wrap(<PartyMenu />);
    fireEvent.click(screen.getByTestId('party-menu'));
    expect(await screen.findByText('Listening with ada')).toBeInTheDocument();
    expect(screen.queryByTestId('party-code')).toBeNull();
    expect(screen.queryByTestId('end-party')).toBeNull();
    expect(screen.getAllByTestId('party-member')).toHaveLength(2);
  });

  it('shows who is connected and who is away, and tells a member when the host is away', async () => {
    const { code: _code, code_rotated: _rotated, ...seen } = PARTY;
    const members = [
      { id: 1, name: 'ada', host: true, online: false },
      { id: 2, name: 'bob', host: false, online: true },
    ];
    useParty.setState({ party: { ...seen, you_are_host: false, members } });
    wrap(<PartyMenu />);
    fireEvent.click(screen.getByTestId('party-menu'));
    const dots = await screen.findAllByTestId('member-presence');
    expect(dots.map((d) => d.getAttribute('data-online'))).toEqual(['false', 'true']);
    expect(screen.getByLabelText('ada is away')).toBeInTheDocument();
    expect(screen.getByLabelText('bob is connected')).toBeInTheDocument();
    expect(screen.getAllByTestId('member-away')).toHaveLength(1);
    expect(screen.getByTestId('host-away').textContent).toMatch(/ada is away/);
    expect(screen.getByText(/1 connected/)).toBeInTheDocument();
    expect(hostAway({ ...seen, members })).toBe(true);
    expect(hostAway(PARTY)).toBe(false);
  });

  it('says why a code was not taken', () => {
    expect(joinErrorText(new ApiError(403, 'join_refused', 'x'))).toMatch(/not right/);
    expect(joinErrorText(new ApiError(429, 'join_locked_out', 'x'))).toMatch(/Too many wrong codes/);
  });
});
