/** Window key listeners for teleop (World.teleopKey) and R = reset; ignored while typing in a form field. */
import { useEffect } from 'react';
import { appStore } from './store';
import { isTeleopKey } from './TeleopSource';
import { typingInField } from './typingInField';

export function useTeleopKeys(): void {
  useEffect(() => {
    const down = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typingInField(e)) return;
      const { world, resetScene } = appStore.getState();
      if (!world) return;
      if (e.key.toLowerCase() === 'r' && !e.repeat) {
        void resetScene();
        e.preventDefault();
        return;
      }
      if (!isTeleopKey(e.key) || e.repeat) return;
      if (world.teleopKey(e.key, true)) e.preventDefault();
    };
    const up = (e: KeyboardEvent) => {
      appStore.getState().world?.teleopKey(e.key, false);
    };
    const blur = () => appStore.getState().world?.releaseTeleopKeys();
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    window.addEventListener('blur', blur);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
      window.removeEventListener('blur', blur);
    };
  }, []);
}
