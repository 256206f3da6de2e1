import type { INodeProperties } from 'n8n-workflow';

/**
 * The fields an operation reads only when its mode option (`modeParameter`) is set to `define` ("Define Below"); in
 * the other mode it reads the same values from the item in code, so the pipeline evaluates no expression for them.
 */
export function shownWhenDefinedBelow(modeParameter: string, properties: INodeProperties[]): INodeProperties[] {
	return properties.map((property) => ({ ...property, displayOptions: { show: { [modeParameter]: ['define'] } } }));
}
