import { beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { downloadUrl } from '../api';
import { dropOnQueue, dropPlays } from '../lib/dropActions';
import { trackInfoRows } from '../lib/trackInfo';
import { usePlayer } from '../stores/player';
import { playlistChanged, useUi } from '../stores/ui';
import { state, track } from './helpers';

describe('a drop on the queue', () => {
  beforeEach(() => usePlayer.getState().reset());

  it('plays when nothing plays and nothing is queued, else appends', () => {
    expect(dropPlays(null, false)).toBe(true);
    expect(dropPlays(state(1, null, { queue: [] }), false)).toBe(true);
    expect(dropPlays(state(1, track(1)), false)).toBe(false); // paused: kept
    expect(dropPlays(state(1, null, { queue: [{ entry_id: 1, track: track(2) }] }), false)).toBe(false);
    expect(dropPlays(state(1, null), true)).toBe(false);
  });

  it('plays a dropped album as its context', async () => {
    const playContext = vi.fn(async () => undefined);
    const queueAddMany = vi.fn(async () => 0);
    const real = usePlayer.getState();
    onTestFinished(() => usePlayer.setState({ playContext: real.playContext, queueAddMany: real.queueAddMany }));
    usePlayer.setState({ playContext, queueAddMany, state: state(1, null) });
    dropOnQueue({ kind: 'album', id: 7, title: 'Night Drive' });
    await vi.waitFor(() => expect(playContext).toHaveBeenCalledWith({ type: 'album', id: 7 }));
    dropOnQueue({ kind: 'tracks', ids: [3, 4], title: 'Kite' });
    await vi.waitFor(() => expect(playContext).toHaveBeenCalledWith({ type: 'tracks', track_ids: [3, 4] }));
    expect(queueAddMany).not.toHaveBeenCalled();
  });
});

describe('playlist changes', () => {
  it('bump the version of that playlist only', () => {
    playlistChanged(4);
    playlistChanged(4);
    playlistChanged(5);
    expect(useUi.getState().playlistVersions).toMatchObject({ 4: 2, 5: 1 });
  });
});

describe('track info', () => {
  it('shows what the file has, in readable units', () => {
    const rows = Object.fromEntries(
      trackInfoRows({
        ...track(1, 'Angel'),
        track_total: 11,
        disc_no: 1,
        genres: ['Trip-Hop'],
        bitrate: 912_345,
        sample_rate: 44_100,
        channels: 2,
        mime: 'audio/flac',
        size: 3_500_000,
        path: 'Massive Attack/Mezzanine/01 Angel.flac',
        rg_track_gain: -6.5,
        rg_track_peak: 0.98,
      }),
    );
    expect(rows).toMatchObject({
      Track: '1 of 11',
      Disc: '1',
      Format: 'FLAC (audio/flac)',
      Bitrate: '912 kbps',
      'Sample rate': '44.1 kHz',
      Channels: 'Stereo',
      Size: '3.3 MB',
      'ReplayGain (track)': '-6.50 dB, peak 0.980000',
      File: 'Massive Attack/Mezzanine/01 Angel.flac',
      Genres: 'Trip-Hop',
    });
    expect(rows['ReplayGain (album)']).toBeUndefined();
  });

  it('downloads through the stream as an attachment', () => {
    expect(downloadUrl(12)).toBe('/api/v1/tracks/12/stream?download=1');
  });
});
