import { Handle, Position } from '@xyflow/react';
import type { PortSpec } from '@/server/pipeline/define-node';

/** One handle per port, spread evenly down the node's side; ids are port names. */
export function NodePorts({ ports, type }: { ports: readonly PortSpec[]; type: 'source' | 'target' }) {
  const position = type === 'target' ? Position.Left : Position.Right;
  return ports.map((port, i) => (
    <Handle
      key={port.name}
      id={port.name}
      type={type}
      position={position}
      title={port.label}
      data-port={port.name}
      style={{ top: `${((i + 1) / (ports.length + 1)) * 100}%` }}
      className="size-2.5 border-2 border-neutral-900 bg-neutral-400 hover:bg-sky-400"
    />
  ));
}
