/**
 * The visualization dock below the 3D view: attention, per-dimension action distributions and the
 * episode charts side by side, with the viz keyboard shortcuts. Collapsing it unmounts the panels.
 */
import { ActionDistributions } from './ActionDistributions';
import { AttentionPanel } from './AttentionPanel';
import { EpisodeCharts } from './EpisodeCharts';
import { useVizKeys } from './useVizKeys';
import { useViz, vizStore } from './vizStore';

export function VizDock() {
  useVizKeys();
  const open = useViz((s) => s.open);
  return (
    <section
      className={`viz-dock${open ? ' open' : ''}`}
      data-testid="viz-dock"
      aria-label="Inside the policy"
    >
      <button
        type="button"
        className="viz-dock-toggle"
        onClick={() => vizStore.getState().toggleOpen()}
        aria-expanded={open}
        data-testid="viz-dock-toggle"
      >
        <span className="chev">{open ? '▾' : '▸'}</span> Inside the policy
        <span className="panel-note"> attention · action distributions · episode</span>
      </button>
      {open && (
        <div className="viz-dock-body">
          <AttentionPanel />
          <ActionDistributions />
          <EpisodeCharts />
        </div>
      )}
    </section>
  );
}
