import * as workflowHelpers from 'n8n-workflow';

/**
 * A webhook trigger's path, read from its Path parameter. n8n ≥ 2.40 resolves a path declared through
 * webhookDescriptionFields natively, without its expression engine: with N8N_EXPRESSION_ENGINE=vm and lazy isolate
 * acquisition, a delivery then creates no V8 isolate before the workflow runs. An older n8n gets the plain template.
 */
const PATH_TEMPLATE = '={{ $parameter["path"] }}';
const { webhookDescriptionFields, fromParameter } = workflowHelpers as Partial<typeof workflowHelpers>;

// Typed as the path alone (the declaration build cannot name n8n's internal resolver type); the object keeps n8n's
// resolver fields, which the triggers spread into their webhook descriptions.
export const webhookPathFromParameter: { path: string } =
	typeof webhookDescriptionFields === 'function' && typeof fromParameter === 'function'
		? (webhookDescriptionFields({ path: fromParameter('path') }) as { path: string })
		: { path: PATH_TEMPLATE };
