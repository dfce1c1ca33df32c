'use client';
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type IsValidConnection,
  type NodeTypes,
} from '@xyflow/react';
import { useCallback, useState, type DragEvent } from 'react';
import { connectionProblem } from '../connections';
import type { DesignerEdge, DesignerNode } from '../document';
import { NODE_KIND_MIME } from '../palette/drag-data';
import { useDesignerStore, useDesignerStoreApi } from '../store-context';
import { PipelineNode } from './pipeline-node';

// Defined once, outside any component, so React Flow never sees a new object.
const nodeTypes = { pipelineNode: PipelineNode } satisfies NodeTypes;

const deleteKeys = ['Delete', 'Backspace'];
const fitViewOptions = { maxZoom: 1, padding: 0.2 };
const defaultEdgeOptions = { style: { strokeWidth: 1.5 } };

export function Canvas() {
  const store = useDesignerStoreApi();
  const nodes = useDesignerStore((s) => s.nodes);
  const edges = useDesignerStore((s) => s.edges);
  const onNodesChange = useDesignerStore((s) => s.onNodesChange);
  const onEdgesChange = useDesignerStore((s) => s.onEdgesChange);
  const connect = useDesignerStore((s) => s.connect);
  const { screenToFlowPosition } = useReactFlow<DesignerNode, DesignerEdge>();
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

  return (
    <div className="h-full w-full" onDragOver={onDragOver} onDrop={onDrop} data-testid="canvas">
      <ReactFlow<DesignerNode, DesignerEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        deleteKeyCode={deleteKeys}
        defaultEdgeOptions={defaultEdgeOptions}
        colorMode="dark"
        fitView={fitOnLoad}
        fitViewOptions={fitViewOptions}
        minZoom={0.2}
      >
        <Background variant={BackgroundVariant.Dots} gap={16} size={1} />
        <Controls fitViewOptions={fitViewOptions} />
        <MiniMap pannable zoomable />
      </ReactFlow>
    </div>
  );
}
