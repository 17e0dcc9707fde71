/**
 * Window keys for the policy: Enter runs, Space pauses / resumes, `.` takes a single step (R = reset lives in
 * useTeleopKeys). Ignored while typing in a form field; Enter in the instruction box is its form's submit.
 */
import { useEffect } from 'react';
import { appStore } from './store';
import { typingInField } from './typingInField';

export function usePolicyKeys(): void {
  useEffect(() => {
    const down = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.repeat || typingInField(e)) return;
      if (e.key !== 'Enter' && e.key !== ' ' && e.key !== '.') return;
      const s = appStore.getState();
      if (!s.world || !s.model.info) return;
      // A focused button would also "click" on Enter/Space: the key means the policy here, not the button.
      const focused = document.activeElement;
      if (focused instanceof HTMLButtonElement) focused.blur();
      if (e.key === 'Enter') {
        e.preventDefault();
        void s.runPolicy().catch(() => undefined);
      } else if (e.key === ' ') {
        e.preventDefault();
        void s.togglePolicyPause();
      } else if (e.key === '.') {
        e.preventDefault();
        void s.stepPolicy().catch(() => undefined);
      }
    };
    window.addEventListener('keydown', down);
    return () => window.removeEventListener('keydown', down);
  }, []);
}
