/** 3:07, or 1:02:03 past an hour; NaN and negatives show 0:00. */
export function formatTime(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) seconds = 0;
  const total = Math.floor(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** "42 min" / "1 hr 5 min" for album and playlist lengths. */
export function formatLength(seconds: number): string {
  if ((seconds || 0) < 60) return `${Math.round(seconds || 0)} sec`;
  const minutes = Math.round((seconds || 0) / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} hr ${minutes % 60} min`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The tab title while something plays: "Title - Artist". */
export function tabTitle(track: { title: string; artist: string } | null | undefined): string {
  return track ? `${track.title} - ${track.artist}` : 'Tonearm';
}
