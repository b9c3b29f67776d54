/**
 * The elkjs options gateflow uses, spelled in full with the `elk.` prefix (as the
 * elkjs README advises), each with the reason it is set.
 */
import type { LayoutOptions } from 'elkjs/lib/elk-api.js';

/** Spacing in px between the parts of one step. */
export const SPACING = {
  nodeNode: 18,
  betweenLayers: 30,
  edgeNode: 11,
  edgeEdge: 9,
} as const;

/** The step's own graph: one timestep of the cell. */
export function stepOptions(padding: { top: number; left: number; bottom: number; right: number }, portSpacing: number): LayoutOptions {
  return {
    'elk.algorithm': 'layered',
    // Time flows left to right: states in on the west side, out on the east side.
    'elk.direction': 'RIGHT',
    // Wires as horizontal and vertical segments, the way the classic figures draw them.
    'elk.edgeRouting': 'ORTHOGONAL',
    // The frame's ports are fixed in order (cell state above hidden state, inputs below).
    'elk.portConstraints': 'FIXED_ORDER',
    // Inputs and outputs get terminal circles beside their ports: keep the ports that far apart.
    'elk.spacing.portPort': String(portSpacing),
    'elk.padding': `[top=${padding.top},left=${padding.left},bottom=${padding.bottom},right=${padding.right}]`,
    'elk.spacing.nodeNode': String(SPACING.nodeNode),
    'elk.layered.spacing.nodeNodeBetweenLayers': String(SPACING.betweenLayers),
    'elk.spacing.edgeNode': String(SPACING.edgeNode),
    'elk.layered.spacing.edgeNodeBetweenLayers': String(SPACING.edgeNode),
    'elk.spacing.edgeEdge': String(SPACING.edgeEdge),
    'elk.layered.spacing.edgeEdgeBetweenLayers': String(SPACING.edgeEdge),
    // Keep the source order (belt first) as the vertical order where crossings allow:
    // the cell state then runs along the top, as in the familiar figures.
    'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    'elk.layered.crossingMinimization.forceNodeModelOrder': 'false',
    // Straight belts: network simplex placement honours per-edge straightness priorities.
    'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
    'elk.layered.thoroughness': '10',
    // Same input, same picture.
    'elk.randomSeed': '1',
  };
}

/** The wrapper around the step: nothing to arrange, but it lets the step keep external ports. */
export const ROOT_OPTIONS: LayoutOptions = {
  'elk.algorithm': 'layered',
  'elk.hierarchyHandling': 'SEPARATE_CHILDREN',
  'elk.randomSeed': '1',
  'elk.padding': '[top=0,left=0,bottom=0,right=0]',
};

/** Node options: wires attach at fixed points (the glyph's centre line). */
export const NODE_OPTIONS: LayoutOptions = {
  'elk.portConstraints': 'FIXED_POS',
};

/** A belt edge asks to be straight. */
export const BELT_EDGE_OPTIONS: LayoutOptions = {
  'elk.layered.priority.straightness': '10',
  'elk.layered.priority.direction': '10',
};
