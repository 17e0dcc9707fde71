/**
 * Window keys for the attention focus: 1…9 focus an action dimension, 0 the mean over dimensions,
 * L / Shift+L the next / previous layer (or mean), H / Shift+H the next / previous head. Ignored while
 * typing in a form field and with Ctrl / Meta / Alt held.
 */
import { useEffect } from 'react';
import { appStore } from '../../store';
import { typingInField } from '../../typingInField';
import { vizStore } from './vizStore';

/** Rows for the keyboard help: key(s) and what they do. */
export const VIZ_HELP: readonly (readonly [string, string])[] = [
  ['1 … 7', 'attention of action dimension 1 … 7 (dx … gripper)'],
  ['0', 'attention: mean over the action dimensions'],
  ['L / ⇧L', 'attention: next / previous layer (or mean)'],
  ['H / ⇧H', 'attention: next / previous head (or mean)'],
];

export function useVizKeys(): void {
  useEffect(() => {
    const down = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typingInField(e)) return;
      const m = appStore.getState().model.info?.manifest;
      if (!m) return;
      const viz = vizStore.getState();
      const k = e.key.toLowerCase();
      if (e.key === '0') viz.setFocus('dim', 'mean');
      else if (/^[1-9]$/.test(e.key) && Number(e.key) <= m.action.dims)
        viz.setFocus('dim', Number(e.key) - 1);
      else if (k === 'l') viz.cycleFocus('layer', m.decoder.num_layers, e.shiftKey ? -1 : 1);
      else if (k === 'h') viz.cycleFocus('head', m.decoder.num_kv_heads, e.shiftKey ? -1 : 1);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', down);
    return () => window.removeEventListener('keydown', down);
  }, []);
}
