/**
 * The `error` field a SkyBot node adds to an item it failed under "continue on fail". The pipeline logs it as the
 * interaction's error (LogInteractionRequest.error), so the original message must survive unchanged.
 */
export interface ItemError {
	message: string;
	description?: string;
	httpStatus?: number;
	code?: string;
}

/** Key under NodeError.context where SkyBot transports store the service's own error code. */
export const ERROR_CODE_CONTEXT_KEY = 'skybotErrorCode';

function asRecord(value: unknown): Record<string, unknown> | undefined {
	return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/**
 * Reads any thrown value (NodeApiError, NodeOperationError, plain Error, string) into an ItemError. Duck-typed so
 * it stays free of n8n imports and unit-testable.
 */
export function toItemError(error: unknown): ItemError {
	const record = asRecord(error);
	const message =
		typeof record?.message === 'string' && record.message !== ''
			? record.message
			: typeof error === 'string'
				? error
				: 'Unknown error';
	const result: ItemError = { message };

	if (typeof record?.description === 'string' && record.description !== '') {
		result.description = record.description;
	}

	const httpStatus = Number(record?.httpCode ?? record?.httpStatus);
	if (Number.isInteger(httpStatus) && httpStatus >= 100 && httpStatus <= 599) {
		result.httpStatus = httpStatus;
	}

	const contextCode = asRecord(record?.context)?.[ERROR_CODE_CONTEXT_KEY];
	const causeCode = asRecord(record?.cause)?.code;
	const code = contextCode ?? causeCode;
	if (typeof code === 'string' || typeof code === 'number') {
		result.code = String(code);
	}
	return result;
}
