/** The app shell: the 3D view on the left, camera and controls on the right, a status bar below. */
import { CameraView } from './components/CameraView';
import { EpisodePanel } from './components/EpisodePanel';
import { KeyboardHelp } from './components/KeyboardHelp';
import { ScenePanel } from './components/ScenePanel';
import { StatusBar } from './components/StatusBar';
import { Viewport3D } from './components/Viewport3D';
import { useApp } from './store';
import { useTeleopKeys } from './useTeleopKeys';

export function App() {
  useTeleopKeys();
  const ready = useApp((s) => s.worldStatus === 'ready');
  return (
    <div className="app" data-testid="app" data-ready={ready ? 'true' : 'false'}>
      <header className="topbar">
        <span className="logo">◆</span>
        <span className="title">VLA Playground</span>
        <span className="subtitle">a vision-language-action policy and a MuJoCo arm, in one tab</span>
      </header>
      <main className="layout">
        <Viewport3D />
        <aside className="sidebar">
          <CameraView />
          <ScenePanel />
          <EpisodePanel />
          <KeyboardHelp />
        </aside>
      </main>
      <StatusBar />
    </div>
  );
}
