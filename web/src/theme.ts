import { createTheme, type MantineColorsTuple } from '@mantine/core';

// A violet that reads well on both schemes.
const tonearm: MantineColorsTuple = [
  '#f3efff', '#e2daff', '#c2b1ff', '#a085fe', '#8460fd', '#7249fd', '#693dfe', '#5930e3', '#4e29cb', '#4120b3',
];

export const theme = createTheme({
  primaryColor: 'tonearm',
  primaryShade: { light: 6, dark: 5 },
  colors: { tonearm },
  fontFamily: 'Inter, "Segoe UI", system-ui, -apple-system, Roboto, "Helvetica Neue", Arial, sans-serif',
  headings: { fontFamily: 'Inter, "Segoe UI", system-ui, -apple-system, Roboto, sans-serif', fontWeight: '700' },
  defaultRadius: 'md',
  cursorType: 'pointer',
  components: {
    ActionIcon: { defaultProps: { variant: 'subtle', color: 'gray' } },
    Tooltip: { defaultProps: { openDelay: 400, withArrow: true } },
  },
});
