/**
 * The keyboard help panel: one key table per group (teleop from TeleopSource.TELEOP_HELP, visualization
 * from useVizKeys' VIZ_HELP, timeline from Timeline's TIMELINE_HELP), all drawn by KeyTable.
 */

import { useApp } from '../store';
import { TELEOP_HELP } from '../TeleopSource';
import { TIMELINE_HELP } from './Timeline';
import { VIZ_HELP } from './viz/useVizKeys';

type KeyRows = readonly (readonly [string, string])[];

interface KeyGroup {
  /** What the keys drive; the table's accessible name. */
  title: string;
  /** Key(s) and what they do; alternatives in one key cell are separated by " / ". */
  rows: KeyRows;
  testId?: string;
  /** A note shown under the table. */
  note?: string;
}

const KEY_GROUPS: readonly KeyGroup[] = [
  {
    title: 'Keyboard teleop',
    rows: TELEOP_HELP,
    note:
      'Moves are in the world frame (x away from the arm base, z up), 1 cm per control step while held. ' +
      'The first key press starts a teleop episode; success is checked every step.',
  },
  { title: 'Visualization', rows: VIZ_HELP, testId: 'keyboard-help-viz' },
  { title: 'Timeline', rows: TIMELINE_HELP, testId: 'keyboard-help-timeline' },
];

function KeyTable({ group }: { group: KeyGroup }) {
  return (
    <>
      <table className="keys" data-testid={group.testId} aria-label={group.title}>
        <tbody>
          {group.rows.map(([k, what]) => (
            <tr key={k}>
              <td>
                {k.split(' / ').map((key, i) => (
                  <span key={key}>
                    {i > 0 && ' '}
                    <kbd>{key}</kbd>
                  </span>
                ))}
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {group.note && <div className="panel-note">{group.note}</div>}
    </>
  );
}

export function KeyboardHelp() {
  const open = useApp((s) => s.helpOpen);
  const toggle = useApp((s) => s.toggleHelp);
  return (
    <div className="panel" data-testid="keyboard-help">
      <button type="button" className="panel-title toggle" onClick={toggle} aria-expanded={open}>
        <span>Keyboard teleop</span>
        <span className="chev">{open ? '▾' : '▸'}</span>
      </button>
      {open && KEY_GROUPS.map((g) => <KeyTable key={g.title} group={g} />)}
    </div>
  );
}
