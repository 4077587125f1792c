// The third visualizer, on its own AnalyserNode off the shared tap: an oscilloscope of the
// waveform as it plays, or a radial spectrum. Drawn on a canvas sized to its box (device
// pixels), at most 60 frames a second, idle while the tab is hidden.
import { useEffect, useRef } from 'react';
import { getEngine } from '../audio/engine';
import classes from './Visualizers.module.css';

export function drawScope(ctx: CanvasRenderingContext2D, data: Float32Array, w: number, h: number): void {
  ctx.clearRect(0, 0, w, h);
  const gradient = ctx.createLinearGradient(0, 0, w, 0);
  gradient.addColorStop(0, '#a78bfa');
  gradient.addColorStop(1, '#f472b6');
  ctx.lineWidth = Math.max(1.5, h / 120);
  ctx.strokeStyle = gradient;
  ctx.shadowColor = 'rgba(167, 139, 250, 0.6)';
  ctx.shadowBlur = 8;
  ctx.beginPath();
  const step = w / (data.length - 1);
  for (let i = 0; i < data.length; i++) {
    const y = h / 2 - data[i] * (h / 2) * 0.9;
    if (i === 0) ctx.moveTo(0, y);
    else ctx.lineTo(i * step, y);
  }
  ctx.stroke();
  ctx.shadowBlur = 0;
}

export function drawRadial(ctx: CanvasRenderingContext2D, data: Uint8Array, w: number, h: number, t: number): void {
  ctx.clearRect(0, 0, w, h);
  const cx = w / 2;
  const cy = h / 2;
  const inner = Math.min(w, h) * 0.2;
  const outer = Math.min(w, h) * 0.48 - inner;
  const bars = 96;
  // Log-spaced bins, so the bass does not take a quarter of the circle.
  const maxBin = Math.floor(data.length * 0.7);
  ctx.lineCap = 'round';
  ctx.lineWidth = Math.max(2, (2 * Math.PI * inner) / bars / 2.2);
  for (let i = 0; i < bars; i++) {
    const bin = Math.min(maxBin, Math.floor(Math.pow(maxBin, i / bars)));
    const v = data[bin] / 255;
    const angle = (i / bars) * Math.PI * 2 - Math.PI / 2 + t / 8000;
    const r2 = inner + Math.max(2, v * outer);
    ctx.strokeStyle = `hsl(${262 + v * 70}, 90%, ${55 + v * 15}%)`;
    ctx.beginPath();
    ctx.moveTo(cx + Math.cos(angle) * inner, cy + Math.sin(angle) * inner);
    ctx.lineTo(cx + Math.cos(angle) * r2, cy + Math.sin(angle) * r2);
    ctx.stroke();
  }
  ctx.beginPath();
  ctx.arc(cx, cy, inner - ctx.lineWidth, 0, Math.PI * 2);
  ctx.strokeStyle = 'rgba(167, 139, 250, 0.5)';
  ctx.lineWidth = 1.5;
  ctx.stroke();
}

export default function Scope({ mode }: { mode: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const modeRef = useRef(mode);
  modeRef.current = mode;

  useEffect(() => {
    const graph = getEngine().ensureGraph();
    const el = canvas.current;
    const ctx = el?.getContext('2d');
    if (!graph || !el || !ctx) return;
    const analyser = graph.context.createAnalyser();
    analyser.fftSize = 2048;
    analyser.smoothingTimeConstant = 0.8;
    graph.tap.connect(analyser);
    const wave = new Float32Array(analyser.fftSize);
    const freq = new Uint8Array(analyser.frequencyBinCount);

    const resize = () => {
      const ratio = window.devicePixelRatio || 1;
      el.width = Math.max(1, Math.round(el.clientWidth * ratio));
      el.height = Math.max(1, Math.round(el.clientHeight * ratio));
    };
    const observer = new ResizeObserver(resize);
    observer.observe(el);
    resize();

    let frame = 0;
    let last = 0;
    const draw = (t: number) => {
      frame = requestAnimationFrame(draw);
      if (document.hidden || t - last < 1000 / 60 - 2) return;
      last = t;
      if (modeRef.current === 'radial') {
        analyser.getByteFrequencyData(freq);
        drawRadial(ctx, freq, el.width, el.height, t);
      } else {
        analyser.getFloatTimeDomainData(wave);
        drawScope(ctx, wave, el.width, el.height);
      }
    };
    frame = requestAnimationFrame(draw);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      graph.tap.disconnect(analyser);
    };
  }, []);

  return (
    <div className={classes.fill}>
      <canvas ref={canvas} style={{ width: '100%', height: '100%' }} data-testid="scope-canvas" />
    </div>
  );
}
