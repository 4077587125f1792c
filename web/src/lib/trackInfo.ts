// The rows of a track's Info dialog, from what GET /api/v1/tracks/{id} answers: only what the
// file has (no "Year: —" rows), in the order people read them.
import type { Track } from '../api/types';
import { formatTime } from './format';

export type InfoRow = [label: string, value: string];

function ofTotal(n: number | null | undefined, total: number | null | undefined): string | null {
  if (n == null) return null;
  return total ? `${n} of ${total}` : String(n);
}

function gain(db: number | null | undefined, peak: number | null | undefined): string | null {
  if (db == null) return null;
  const sign = db > 0 ? '+' : '';
  return `${sign}${db.toFixed(2)} dB${peak != null ? `, peak ${peak.toFixed(6)}` : ''}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

export function channelsLabel(n: number): string {
  return n === 1 ? 'Mono' : n === 2 ? 'Stereo' : `${n} channels`;
}

export function trackInfoRows(t: Track): InfoRow[] {
  const rows: [string, string | null | undefined][] = [
    ['Title', t.title],
    ['Artists', t.artists.length ? t.artists.map((a) => a.name).join(', ') : t.artist],
    ['Album', t.album],
    ['Album artist', t.album_artist],
    ['Track', ofTotal(t.track_no, t.track_total)],
    ['Disc', ofTotal(t.disc_no, t.disc_total)],
    ['Year', t.date ?? (t.year != null ? String(t.year) : null)],
    ['Genres', t.genres.length ? t.genres.join(', ') : null],
    ['Duration', formatTime(t.duration)],
    ['Format', t.format ? t.format.toUpperCase() + (t.mime ? ` (${t.mime})` : '') : null],
    ['Bitrate', t.bitrate ? `${Math.round(t.bitrate / 1000)} kbps` : null],
    ['Sample rate', t.sample_rate ? `${t.sample_rate / 1000} kHz` : null],
    ['Channels', t.channels ? channelsLabel(t.channels) : null],
    ['Size', t.size ? formatBytes(t.size) : null],
    ['BPM', t.bpm ? String(Math.round(t.bpm)) : null],
    ['Key', t.key],
    ['ReplayGain (track)', gain(t.rg_track_gain, t.rg_track_peak)],
    ['ReplayGain (album)', gain(t.rg_album_gain, t.rg_album_peak)],
    ['File', t.path],
  ];
  return rows.filter((r): r is InfoRow => typeof r[1] === 'string' && r[1] !== '');
}
