/** The keyboard teleop help (keys from TeleopSource.TELEOP_HELP). */

import { useApp } from '../store';
import { TELEOP_HELP } from '../TeleopSource';
import { TIMELINE_HELP } from './Timeline';
import { VIZ_HELP } from './viz/useVizKeys';

export function KeyboardHelp() {
  const open = useApp((s) => s.helpOpen);
  const toggle = useApp((s) => s.toggleHelp);
  return (
    <div className="panel" data-testid="keyboard-help">
      <button type="button" className="panel-title toggle" onClick={toggle} aria-expanded={open}>
        <span>Keyboard teleop</span>
        <span className="chev">{open ? '▾' : '▸'}</span>
      </button>
      {open && (
        <>
          <table className="keys">
            <tbody>
              {TELEOP_HELP.map(([k, what]) => (
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
          <div className="panel-note">
            Moves are in the world frame (x away from the arm base, z up), 1 cm per control step while held.
            The first key press starts a teleop episode; success is checked every step.
          </div>
          <table className="keys" data-testid="keyboard-help-viz">
            <tbody>
              {VIZ_HELP.map(([k, what]) => (
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
          <table className="keys" data-testid="keyboard-help-timeline">
            <tbody>
              {TIMELINE_HELP.map(([k, what]) => (
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
        </>
      )}
    </div>
  );
}
