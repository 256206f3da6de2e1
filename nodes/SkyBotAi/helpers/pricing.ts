/**
 * Estimated cost of a chat completion, in US dollars. Built-in prices are OpenAI's list prices per million tokens
 * (standard tier) for the models this package suggests; the node's options override them for any other model or
 * a compatible provider. Unknown model and no override → null (unknown), never a made-up number.
 */
export interface TokenPrice {
	inputPerMillion: number;
	outputPerMillion: number;
}

export const BUILT_IN_PRICES: Readonly<Record<string, TokenPrice>> = {
	'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 },
	'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 },
	'gpt-4.1-nano': { inputPerMillion: 0.1, outputPerMillion: 0.4 },
	'gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6 },
	'gpt-4.1': { inputPerMillion: 2, outputPerMillion: 8 },
	'gpt-3.5-turbo': { inputPerMillion: 0.5, outputPerMillion: 1.5 },
};

/**
 * The API answers with a dated snapshot name (gpt-4o-mini-2024-07-18): match the longest known prefix, so
 * "gpt-4o-mini-…" is not priced as "gpt-4o".
 */
export function builtInPrice(model: string): TokenPrice | undefined {
	const known = Object.keys(BUILT_IN_PRICES)
		.filter((name) => model === name || model.startsWith(`${name}-`))
		.sort((a, b) => b.length - a.length);
	return known.length ? BUILT_IN_PRICES[known[0]] : undefined;
}

export interface PriceOverride {
	inputPerMillion?: number;
	outputPerMillion?: number;
}

export function estimateCostUsd(
	model: string,
	promptTokens: number,
	completionTokens: number,
	override: PriceOverride = {},
): number | null {
	const builtIn = builtInPrice(model);
	const inputPerMillion = override.inputPerMillion ?? builtIn?.inputPerMillion;
	const outputPerMillion = override.outputPerMillion ?? builtIn?.outputPerMillion;
	if (inputPerMillion === undefined || outputPerMillion === undefined) return null;
	const cost = (promptTokens * inputPerMillion + completionTokens * outputPerMillion) / 1_000_000;
	// Micro-dollar precision: enough for per-message costs, free of float noise like 0.00010500000000000001.
	return Math.round(cost * 1e6) / 1e6;
}
