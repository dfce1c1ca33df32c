import { Handle, Position } from '@xyflow/react';
import type { PortSpec } from '@/server/pipeline/define-node';

/** The handle's tooltip and accessible name: the port's label, saying so when it may stay unconnected. */
export const portTitle = (port: PortSpec): string => (port.optional ? `${port.label} (optional)` : port.label);

const handleClass = 'size-2.5 border-2 hover:bg-sky-400';
// An optional port is a hollow, dashed ring, like a slot that may stay empty.
const requiredClass = `${handleClass} border-neutral-900 bg-neutral-400`;
const optionalClass = `${handleClass} border-dashed border-neutral-400 bg-neutral-900`;

/** One handle per port, spread evenly down the node's side; ids are port names. */
export function NodePorts({ ports, type }: { ports: readonly PortSpec[]; type: 'source' | 'target' }) {
  const position = type === 'target' ? Position.Left : Position.Right;
  return ports.map((port, i) => (
    <Handle
      key={port.name}
      id={port.name}
      type={type}
      position={position}
      title={portTitle(port)}
      aria-label={portTitle(port)}
      data-port={port.name}
      data-optional={port.optional ? 'true' : undefined}
      style={{ top: `${((i + 1) / (ports.length + 1)) * 100}%` }}
      className={port.optional ? optionalClass : requiredClass}
    />
  ));
}
