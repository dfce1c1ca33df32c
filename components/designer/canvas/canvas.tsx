'use client';
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  SelectionMode,
  useReactFlow,
  type Connection,
  type EdgeMouseHandler,
  type IsValidConnection,
  type NodeTypes,
} from '@xyflow/react';
import { useCallback, useRef, useState, type DragEvent, type MouseEvent as ReactMouseEvent } from 'react';
import { connectionProblem } from '../connections';
import type { DesignerEdge, DesignerNode } from '../document';
import { NODE_KIND_MIME } from '../palette/drag-data';
import { useDesignerStore, useDesignerStoreApi } from '../store-context';
import { useTheme } from '../theme/use-theme';
import { CanvasReadyMark } from './canvas-ready-mark';
import { ConnectionHint } from './connection-hint';
import { EdgeColumnsTooltip, type HoveredEdge } from './edge-columns-tooltip';
import { PipelineNode } from './pipeline-node';
import { fitViewOptions } from './use-canvas-commands';

// Defined once, outside any component, so React Flow never sees a new object.
const nodeTypes = { pipelineNode: PipelineNode } satisfies NodeTypes;

const defaultEdgeOptions = { style: { strokeWidth: 1.5 } };
// Ctrl/Cmd-click adds to the selection; Shift-drag draws a selection box.
const multiSelectionKeys = ['Meta', 'Control'];
// Module scope too: a new object on every render would update React Flow's store on every drag move.
const ariaLabelConfig = { 'node.a11yDescription.default': 'Press Enter or Space to select this node; Delete removes it; arrow keys move it.' };

export function Canvas() {
  const store = useDesignerStoreApi();
  const nodes = useDesignerStore((s) => s.nodes);
  const edges = useDesignerStore((s) => s.edges);
  const onNodesChange = useDesignerStore((s) => s.onNodesChange);
  const onEdgesChange = useDesignerStore((s) => s.onEdgesChange);
  const connect = useDesignerStore((s) => s.connect);
  const { screenToFlowPosition } = useReactFlow<DesignerNode, DesignerEdge>();
  const [theme] = useTheme();
  const container = useRef<HTMLDivElement>(null);
  const [hoveredEdge, setHoveredEdge] = useState<HoveredEdge | null>(null);
  // Fit a loaded pipeline into view once; on an empty canvas, fitting would yank the first dropped node away from the cursor.
  const [fitOnLoad] = useState(() => store.getState().nodes.length > 0);

  const isValidConnection = useCallback<IsValidConnection<DesignerEdge>>(
    (connection) => connectionProblem(store.getState().edges, connection) === null,
    [store],
  );
  const onConnect = useCallback((connection: Connection) => void connect(connection), [connect]);

  const onDragOver = useCallback((event: DragEvent<HTMLDivElement>) => {
    if (!event.dataTransfer.types.includes(NODE_KIND_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'move';
  }, []);

  const onDrop = useCallback(
    (event: DragEvent<HTMLDivElement>) => {
      const kind = event.dataTransfer.getData(NODE_KIND_MIME);
      if (!kind) return;
      event.preventDefault();
      const position = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      store.getState().addNode(kind, { x: position.x - 100, y: position.y - 24 });
    },
    [screenToFlowPosition, store],
  );

  const hoverEdge = useCallback<EdgeMouseHandler<DesignerEdge>>((event: ReactMouseEvent, edge) => {
    const box = container.current?.getBoundingClientRect();
    if (!box) return;
    setHoveredEdge({ edge, x: event.clientX - box.left, y: event.clientY - box.top });
  }, []);
  const leaveEdge = useCallback(() => setHoveredEdge(null), []);

  return (
    <div ref={container} className="relative h-full w-full" onDragOver={onDragOver} onDrop={onDrop} data-testid="canvas">
      <ReactFlow<DesignerNode, DesignerEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        // Deleting goes through the designer's shortcuts, so a node and its edges go in one undo step.
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={multiSelectionKeys}
        selectionMode={SelectionMode.Partial}
        onEdgeMouseEnter={hoverEdge}
        onEdgeMouseMove={hoverEdge}
        onEdgeMouseLeave={leaveEdge}
        defaultEdgeOptions={defaultEdgeOptions}
        colorMode={theme}
        fitView={fitOnLoad}
        fitViewOptions={fitViewOptions}
        minZoom={0.2}
        ariaLabelConfig={ariaLabelConfig}
      >
        <Background variant={BackgroundVariant.Dots} gap={16} size={1} />
        <Controls fitViewOptions={fitViewOptions} />
        <MiniMap pannable zoomable ariaLabel="Overview of the pipeline" />
        <ConnectionHint />
        <CanvasReadyMark />
      </ReactFlow>
      {hoveredEdge ? <EdgeColumnsTooltip hovered={hoveredEdge} /> : null}
    </div>
  );
}
