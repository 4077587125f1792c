// Spectrum analyzer (audioMotion-analyzer) on a node of the app's one AudioContext: it never
// gets the element (that would make a second MediaElementSource) and never the speakers.
import AudioMotionAnalyzer, { type Options } from 'audiomotion-analyzer';
import { useEffect, useRef } from 'react';
import { getEngine } from '../audio/engine';
import classes from './Visualizers.module.css';

const MODES: Record<string, Options> = {
  bars: { mode: 3, ansiBands: false, ledBars: false, mirror: 0, reflexRatio: 0, roundBars: true, barSpace: 0.3, showPeaks: true },
  octaves: { mode: 6, ansiBands: true, ledBars: true, mirror: 0, reflexRatio: 0, roundBars: false, barSpace: 0.2, showPeaks: true },
  mirrored: { mode: 3, ansiBands: false, ledBars: false, mirror: -1, reflexRatio: 0.35, reflexAlpha: 0.3, reflexBright: 1, roundBars: true, barSpace: 0.3, showPeaks: false },
};

export default function Spectrum({ mode }: { mode: string }) {
  const box = useRef<HTMLDivElement>(null);
  const analyzer = useRef<AudioMotionAnalyzer | null>(null);

  useEffect(() => {
    const graph = getEngine().ensureGraph();
    if (!box.current || !graph) return;
    const instance = new AudioMotionAnalyzer(box.current, {
      audioCtx: graph.context,
      source: graph.tap,
      connectSpeakers: false,
      frequencyScale: 'log',
      overlay: true,
      bgAlpha: 0,
      showBgColor: false,
      showScaleX: false,
      smoothing: 0.75,
      maxFPS: 60,
      fftSize: 8192,
      minFreq: 30,
      maxFreq: 16000,
      ...MODES.bars,
    });
    instance.registerGradient('tonearm', {
      colorStops: [{ color: '#f472b6', pos: 0 }, { color: '#a78bfa', pos: 0.45 }, { color: '#6d28d9', pos: 1 }],
    });
    instance.setOptions({ gradient: 'tonearm' });
    analyzer.current = instance;
    const onVisibility = () => instance.toggleAnalyzer(!document.hidden);
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      instance.destroy(); // keeps the shared context, removes only its own input link
      analyzer.current = null;
    };
  }, []);

  useEffect(() => {
    analyzer.current?.setOptions(MODES[mode] ?? MODES.bars);
  }, [mode]);

  return <div ref={box} className={classes.fill} data-testid="spectrum-canvas" />;
}
