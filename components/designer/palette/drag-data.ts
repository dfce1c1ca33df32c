/** The drag payload type for palette items dropped on the canvas. */
export const NODE_KIND_MIME = 'application/x-sluice-node-kind';
