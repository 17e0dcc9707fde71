/** Entry point: mounts the React app and starts the runtime (MuJoCo, renderer, window.vla). */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { bootstrap } from './app/bootstrap';
import './app/styles.css';

const rootEl = document.getElementById('root');
if (!rootEl) throw new Error('index.html has no #root');
createRoot(rootEl).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
void bootstrap(window.location.search);
