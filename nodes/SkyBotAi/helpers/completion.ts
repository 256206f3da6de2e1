import { asNumber, asString, isRecord } from '../../shared/json';
import { estimateCostUsd, type PriceOverride } from './pricing';

/** The `ai` field SkyBot AI adds to the item. */
export interface AiResult {
	text: string;
	model: string;
	promptTokens: number;
	completionTokens: number;
	totalTokens: number;
	/** null when the model has no known price and no price override is set. */
	costUsd: number | null;
}

export class CompletionShapeError extends Error {}

/** Reads an OpenAI chat-completion response body; throws CompletionShapeError when there is no usable reply. */
export function readChatCompletion(body: unknown, requestedModel: string, prices: PriceOverride = {}): AiResult {
	if (!isRecord(body)) throw new CompletionShapeError('The AI API answered without a JSON body');
	const choice = Array.isArray(body.choices) ? body.choices[0] : undefined;
	if (!isRecord(choice) || !isRecord(choice.message)) {
		throw new CompletionShapeError('The AI API answered without any choice');
	}
	const refusal = asString(choice.message.refusal);
	if (refusal) throw new CompletionShapeError(`The model refused to answer: ${refusal}`);
	const text = asString(choice.message.content);
	if (text === undefined) throw new CompletionShapeError('The AI API answered without message content');

	const model = asString(body.model) ?? requestedModel;
	const usage = isRecord(body.usage) ? body.usage : {};
	const promptTokens = asNumber(usage.prompt_tokens) ?? 0;
	const completionTokens = asNumber(usage.completion_tokens) ?? 0;
	const totalTokens = asNumber(usage.total_tokens) ?? promptTokens + completionTokens;
	return {
		text: text.trim(),
		model,
		promptTokens,
		completionTokens,
		totalTokens,
		costUsd: estimateCostUsd(model, promptTokens, completionTokens, prices),
	};
}

/** OpenAI-style error body {error:{message,type,code,param}} → message + code, for the node error. */
export function readApiError(body: unknown): { message?: string; code?: string } {
	const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
	return {
		message: asString(error?.message),
		code: asString(error?.code) ?? asString(error?.type),
	};
}
