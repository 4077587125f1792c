// The floating visualizers: ids (stored in the user's settings), names, default places.
import type { WidgetLayout } from '../api/types';
import { clampRect, type Rect } from '../lib/layout';

export type VisualizerId = 'spectrum' | 'waveform' | 'scope';

export interface VisualizerInfo {
  id: VisualizerId;
  name: string;
  modes: { value: string; label: string }[];
  /** Default rectangle in a vw×vh window. */
  place(vw: number, vh: number): Rect;
}

const BAR = 90; // the player bar: widgets start above it
const NAV = 240; // the sidebar
const WAVE_H = 150;

export const VISUALIZERS: VisualizerInfo[] = [
  {
    id: 'spectrum',
    name: 'Spectrum',
    modes: [
      { value: 'bars', label: 'Bars' },
      { value: 'octaves', label: 'Octave bands' },
      { value: 'mirrored', label: 'Mirrored' },
    ],
    place: (vw, vh) => ({ x: vw - 500, y: vh - BAR - WAVE_H - 270, width: 480, height: 250 }),
  },
  {
    id: 'waveform',
    name: 'Waveform',
    modes: [
      { value: 'bars', label: 'Bars' },
      { value: 'line', label: 'Smooth' },
    ],
    place: (vw, vh) => ({ x: NAV + 20, y: vh - BAR - WAVE_H - 14, width: Math.min(960, vw - NAV - 40), height: WAVE_H }),
  },
  {
    id: 'scope',
    name: 'Oscilloscope',
    modes: [
      { value: 'scope', label: 'Wave' },
      { value: 'radial', label: 'Radial' },
    ],
    place: (_vw, vh) => ({ x: NAV + 20, y: vh - BAR - WAVE_H - 270, width: 320, height: 250 }),
  },
];

/** The rectangle to draw a widget at: saved, or its default; always inside the window. */
export function widgetRect(info: VisualizerInfo, saved: WidgetLayout | undefined, vw: number, vh: number): Rect {
  const base = info.place(vw, vh);
  const rect = {
    x: saved?.x ?? base.x,
    y: saved?.y ?? base.y,
    width: saved?.width ?? base.width,
    height: saved?.height ?? base.height,
  };
  return clampRect(rect, vw, vh);
}
