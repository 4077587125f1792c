import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './styles.css';

import { localStorageColorSchemeManager, MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { App } from './App';
import { getEngine } from './audio/engine';
import { initDesktop } from './desktop/bridge';
import { useDesktop } from './desktop/store';
import { useSettings } from './stores/settings';
import { usePlayer } from './stores/player';
import { theme } from './theme';

const colorSchemeManager = localStorageColorSchemeManager({ key: 'tonearm.color-scheme' });

// For the end-to-end tests and the curious: the engine and the stores, read-only use please.
(window as unknown as Record<string, unknown>).__tonearm = { engine: getEngine(), player: usePlayer, settings: useSettings };

// In the desktop app, its settings (the server's address) come first.
void initDesktop()
  .catch(() => null)
  .then((desktop) => {
    useDesktop.getState().setInfo(desktop);
    render();
  });

function render(): void {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <MantineProvider theme={theme} defaultColorScheme="auto" colorSchemeManager={colorSchemeManager}>
        <Notifications position="top-right" limit={4} />
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </MantineProvider>
    </StrictMode>,
  );
}
