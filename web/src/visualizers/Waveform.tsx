// The whole track's waveform from the server's peaks (wavesurfer.js), sharing the player's
// audio element: progress follows it, a click seeks it. A new instance per track, made once
// the element has the track's metadata (so its src is settled and wavesurfer leaves it be).
import { useComputedColorScheme } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { useEffect, useMemo, useRef, useState } from 'react';
import WaveSurfer from 'wavesurfer.js';
import { api, errorMessage } from '../api';
import { getEngine } from '../audio/engine';
import { usePlayer } from '../stores/player';
import classes from './Visualizers.module.css';

export default function Waveform({ mode }: { mode: string }) {
  const trackId = usePlayer((s) => s.track?.id ?? null);
  const ready = usePlayer((s) => s.metadataReady);
  const [peaks, setPeaks] = useState<{ id: number; peaks: number[]; duration: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const { ref: sizeRef, height } = useElementSize();
  const scheme = useComputedColorScheme('dark');

  useEffect(() => {
    setError(null);
    if (trackId === null) return;
    const controller = new AbortController();
    api
      .waveform(trackId, controller.signal)
      .then((w) => setPeaks({ id: trackId, peaks: w.peaks, duration: w.duration }))
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setError(errorMessage(err));
      });
    return () => controller.abort();
  }, [trackId]);

  // Memoised: a new array identity would rebuild the waveform.
  const data = useMemo(() => (peaks && peaks.id === trackId ? peaks : null), [peaks, trackId]);
  const rounded = Math.max(24, Math.floor(height));

  useEffect(() => {
    if (!box.current || !data || !ready) return;
    const audio = getEngine().audio;
    const bars = mode !== 'line';
    const ws = WaveSurfer.create({
      container: box.current,
      media: audio,
      peaks: [data.peaks],
      duration: Number.isFinite(audio.duration) ? audio.duration : data.duration,
      height: rounded,
      normalize: true,
      interact: true,
      dragToSeek: true,
      waveColor: scheme === 'dark' ? 'rgba(255,255,255,0.28)' : 'rgba(20,16,40,0.22)',
      progressColor: '#a78bfa',
      cursorColor: '#f472b6',
      cursorWidth: 2,
      barWidth: bars ? 3 : undefined,
      barGap: bars ? 2 : undefined,
      barRadius: bars ? 3 : undefined,
    });
    const mark = () => box.current?.setAttribute('data-drawn', 'true');
    ws.on('redrawcomplete', mark);
    ws.on('ready', mark);
    return () => {
      box.current?.removeAttribute('data-drawn');
      ws.destroy(); // the shared element stays as it is
    };
  }, [data, ready, mode, rounded, scheme]);

  return (
    <div ref={sizeRef} className={classes.fill}>
      {trackId === null && <div className={classes.empty}>Play something to see its waveform</div>}
      {error && <div className={classes.empty}>{error}</div>}
      <div ref={box} data-testid="waveform" style={{ width: '100%' }} />
    </div>
  );
}
