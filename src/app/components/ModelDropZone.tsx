/** Drop a model folder anywhere on the page to load it; shows a full-page target while files are dragged. */
import { useEffect, useState } from 'react';
import { dragHasFiles, filesFromDrop } from '../modelFolder';
import { appStore } from '../store';

export function ModelDropZone() {
  const [over, setOver] = useState(false);
  useEffect(() => {
    let depth = 0;
    const enter = (e: DragEvent) => {
      if (!dragHasFiles(e)) return;
      depth++;
      setOver(true);
    };
    const leave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const overFn = (e: DragEvent) => {
      if (dragHasFiles(e)) e.preventDefault();
    };
    const drop = (e: DragEvent) => {
      if (!e.dataTransfer || !dragHasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setOver(false);
      void filesFromDrop(e.dataTransfer).then((r) => {
        if (r)
          void appStore
            .getState()
            .loadModelFiles(r.files, r.label)
            .catch(() => undefined);
      });
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', overFn);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', overFn);
      window.removeEventListener('drop', drop);
    };
  }, []);
  if (!over) return null;
  return (
    <div className="drop-overlay" data-testid="model-drop">
      <div>Drop a model folder (manifest.json, tokenizer.json, onnx/…) to load it</div>
    </div>
  );
}
