'use client';
import { ReactFlowProvider } from '@xyflow/react';
import { useState } from 'react';
import type { VisualPipeline } from '@/server/pipeline/model';
import { Canvas } from './canvas/canvas';
import { DesignerShortcuts } from './canvas/designer-shortcuts';
import { ShortcutSheet } from './canvas/shortcut-sheet';
import { CompileProvider } from './compile-context';
import { Palette } from './palette/palette';
import { RunFollower } from './runs/run-follower';
import { RunViewProvider } from './runs/run-view-store';
import { RunsPanel } from './runs/runs-panel';
import { SettingsPanel } from './settings/settings-panel';
import { DesignerStoreProvider } from './store-context';
import { Toolbar } from './toolbar/toolbar';
import { UnsavedChangesGuard } from './unsaved-changes-guard';

export interface LoadedPipeline {
  id: string;
  name: string;
  latestVersion: number;
  document: VisualPipeline;
}

/** The designer for one loaded pipeline: toolbar, palette, canvas, settings and runs. */
export function DesignerWorkspace({ pipeline }: { pipeline: LoadedPipeline }) {
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  return (
    <DesignerStoreProvider initial={pipeline.document}>
      <RunViewProvider>
        <ReactFlowProvider>
          <CompileProvider>
            <div className="grid h-dvh grid-cols-[13rem_minmax(0,1fr)_20rem] grid-rows-[auto_minmax(0,1fr)_14rem] overflow-hidden">
              <div className="col-span-3">
                <Toolbar pipeline={pipeline} onShowShortcuts={() => setShortcutsOpen(true)} />
              </div>
              <Palette />
              <main className="min-h-0 min-w-0">
                <Canvas />
              </main>
              <SettingsPanel />
              <div className="col-span-3 min-h-0">
                <RunsPanel pipelineId={pipeline.id} />
              </div>
            </div>
            <RunFollower pipelineId={pipeline.id} />
            <UnsavedChangesGuard />
            <DesignerShortcuts onHelp={() => setShortcutsOpen(true)} sheetOpen={shortcutsOpen} />
            <ShortcutSheet open={shortcutsOpen} onClose={() => setShortcutsOpen(false)} />
          </CompileProvider>
        </ReactFlowProvider>
      </RunViewProvider>
    </DesignerStoreProvider>
  );
}
