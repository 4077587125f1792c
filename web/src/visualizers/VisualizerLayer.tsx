// A fixed full-screen layer (pointer-events: none) holding the floating visualizers, each a
// react-rnd widget bounded by the layer. Rectangles are saved in the user's settings on drag
// and resize stop, and clamped into the window on load and whenever it is resized.
import { ActionIcon, Group, Paper, SegmentedControl, Text } from '@mantine/core';
import { useViewportSize } from '@mantine/hooks';
import { IconGripHorizontal, IconX } from '@tabler/icons-react';
import { lazy, Suspense } from 'react';
import { Rnd } from 'react-rnd';
import { MIN_HEIGHT, MIN_WIDTH } from '../lib/layout';
import { useSettings } from '../stores/settings';
import { VISUALIZERS, type VisualizerInfo, widgetRect } from './registry';
import classes from './Visualizers.module.css';

const Spectrum = lazy(() => import('./Spectrum'));
const Waveform = lazy(() => import('./Waveform'));
const Scope = lazy(() => import('./Scope'));

function Body({ info, mode }: { info: VisualizerInfo; mode: string }) {
  if (info.id === 'spectrum') return <Spectrum mode={mode} />;
  if (info.id === 'waveform') return <Waveform mode={mode} />;
  return <Scope mode={mode} />;
}

function Widget({ info, vw, vh }: { info: VisualizerInfo; vw: number; vh: number }) {
  const saved = useSettings((s) => s.settings.visualizers[info.id]);
  const setWidget = useSettings((s) => s.setWidget);
  const rect = widgetRect(info, saved, vw, vh);
  const mode = saved?.mode ?? info.modes[0].value;

  // `rect` is the saved one clamped into this window; the clamp is not saved, so the widget
  // goes back to its place when the window grows again (or on a larger screen).
  return (
    <Rnd
      className={classes.widget}
      bounds="parent"
      position={{ x: rect.x, y: rect.y }}
      size={{ width: rect.width, height: rect.height }}
      minWidth={MIN_WIDTH}
      minHeight={MIN_HEIGHT}
      dragHandleClassName={classes.handle}
      onDragStop={(_e, d) => setWidget(info.id, { ...rect, x: Math.round(d.x), y: Math.round(d.y) })}
      onResizeStop={(_e, _dir, ref, _delta, pos) =>
        setWidget(info.id, { x: Math.round(pos.x), y: Math.round(pos.y), width: ref.offsetWidth, height: ref.offsetHeight })
      }
    >
      <Paper className={classes.frame} shadow="xl" radius="lg" withBorder data-testid={`visualizer-${info.id}`}>
        <Group className={classes.handle} justify="space-between" wrap="nowrap" gap={6} data-testid={`handle-${info.id}`}>
          <Group gap={6} wrap="nowrap" miw={0}>
            <IconGripHorizontal size={14} className={classes.grip} />
            <Text size="xs" fw={700} tt="uppercase" c="dimmed" className={classes.name}>
              {info.name}
            </Text>
          </Group>
          <Group gap={4} wrap="nowrap">
            <SegmentedControl
              size="xs"
              radius="xl"
              data={info.modes}
              value={mode}
              onChange={(value) => setWidget(info.id, { mode: value })}
              className={classes.modes}
            />
            <ActionIcon size="sm" aria-label={`Hide ${info.name}`} onClick={() => setWidget(info.id, { visible: false })}>
              <IconX size={14} />
            </ActionIcon>
          </Group>
        </Group>
        <div className={classes.body}>
          <Suspense fallback={null}>
            <Body info={info} mode={mode} />
          </Suspense>
        </div>
      </Paper>
    </Rnd>
  );
}

export function VisualizerLayer() {
  const layouts = useSettings((s) => s.settings.visualizers);
  const { width, height } = useViewportSize();
  const shown = VISUALIZERS.filter((v) => layouts[v.id]?.visible);
  if (!width || !height || shown.length === 0) return null;
  return (
    <div className={classes.layer} data-testid="visualizer-layer">
      {shown.map((info) => (
        <Widget key={info.id} info={info} vw={width} vh={height} />
      ))}
    </div>
  );
}
