/**
 * The app shell: the policy column (instruction, controls, action readout, model) on the left, the 3D view
 * in the middle, camera and scene controls on the right, a status bar below.
 */
import { CameraView } from './components/CameraView';
import { EpisodePanel } from './components/EpisodePanel';
import { KeyboardHelp } from './components/KeyboardHelp';
import { ModelDropZone } from './components/ModelDropZone';
import { ModelPanel } from './components/ModelPanel';
import { PolicyPanel } from './components/PolicyPanel';
import { RecordingsPanel } from './components/RecordingsPanel';
import { ScenePanel } from './components/ScenePanel';
import { SourcePanel } from './components/SourcePanel';
import { StatusBar } from './components/StatusBar';
import { Timeline } from './components/Timeline';
import { Viewport3D } from './components/Viewport3D';
import { VizDock } from './components/viz/VizDock';
import { useRecordings } from './recording/useRecordings';
import { useApp } from './store';
import { usePolicyKeys } from './usePolicyKeys';
import { useTeleopKeys } from './useTeleopKeys';

export function App() {
  useTeleopKeys();
  usePolicyKeys();
  useRecordings();
  const ready = useApp((s) => s.worldStatus === 'ready');
  return (
    <div className="app" data-testid="app" data-ready={ready ? 'true' : 'false'}>
      <header className="topbar">
        <span className="logo">◆</span>
        <span className="title">VLA Playground</span>
        <span className="subtitle">a vision-language-action policy and a MuJoCo arm, in one tab</span>
      </header>
      <main className="layout">
        <aside className="sidebar sidebar-left">
          <PolicyPanel />
          <ModelPanel />
        </aside>
        <div className="center-column">
          <Viewport3D />
          <Timeline />
        </div>
        <aside className="sidebar">
          <CameraView />
          <SourcePanel />
          <ScenePanel />
          <EpisodePanel />
          <RecordingsPanel />
          <KeyboardHelp />
        </aside>
      </main>
      <VizDock />
      <StatusBar />
      <ModelDropZone />
    </div>
  );
}
