/** Task and seed pickers and the task's default instruction. Changing either resets the scene. */
import { useMemo, useState } from 'react';
import { allTaskIds, TASK_FAMILIES } from '../../core/task';
import { useApp } from '../store';

export function ScenePanel() {
  const task = useApp((s) => s.task);
  const seed = useApp((s) => s.seed);
  const instruction = useApp((s) => s.instruction);
  const resetScene = useApp((s) => s.resetScene);
  const ready = useApp((s) => s.worldStatus === 'ready');
  const [seedText, setSeedText] = useState<string | null>(null);
  const groups = useMemo(() => {
    const ids = allTaskIds();
    return TASK_FAMILIES.map((f) => ({ family: f, ids: ids.filter((id) => id.startsWith(`${f}:`)) }));
  }, []);

  const commitSeed = () => {
    if (seedText === null) return;
    const n = Number.parseInt(seedText, 10);
    setSeedText(null);
    if (Number.isFinite(n) && n !== seed) void resetScene(n, task);
  };

  return (
    <div className="panel">
      <div className="panel-title">Scene</div>
      <label className="field">
        <span>Task</span>
        <select
          data-testid="task-select"
          value={task}
          disabled={!ready}
          onChange={(e) => void resetScene(seed, e.target.value)}
        >
          {groups.map((g) => (
            <optgroup key={g.family} label={g.family}>
              {g.ids.map((id) => (
                <option key={id} value={id}>
                  {id}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Seed</span>
        <div className="row">
          <input
            data-testid="seed-input"
            type="number"
            min={0}
            step={1}
            value={seedText ?? String(seed)}
            disabled={!ready}
            onChange={(e) => setSeedText(e.target.value)}
            onBlur={commitSeed}
            onKeyDown={(e) => {
              if (e.key === 'Enter') commitSeed();
            }}
          />
          <button
            type="button"
            className="icon"
            title="Previous seed"
            disabled={!ready || seed <= 0}
            onClick={() => void resetScene(seed - 1, task)}
          >
            ‹
          </button>
          <button
            type="button"
            className="icon"
            title="Next seed"
            disabled={!ready}
            onClick={() => void resetScene(seed + 1, task)}
          >
            ›
          </button>
          <button
            type="button"
            className="icon"
            title="Random seed"
            disabled={!ready}
            onClick={() => void resetScene(Math.floor(Math.random() * 100000), task)}
          >
            ⚄
          </button>
        </div>
      </label>
      <div className="instruction" data-testid="instruction">
        <span className="quote">“</span>
        {instruction || '…'}
        <span className="quote">”</span>
      </div>
    </div>
  );
}
