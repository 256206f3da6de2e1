/**
 * Prompts of the SkyBot AI operations. Each builds the `messages` of one chat-completion request. The customer's
 * text always goes in its own user message, never into the instructions, so it cannot rewrite them.
 */
export interface ChatMessage {
	role: 'system' | 'user';
	content: string;
}

export interface ReplyPromptInput {
	businessName: string;
	message: string;
	context?: string;
	/** Replaces the default instructions; the business context is still appended. */
	systemPrompt?: string;
}

/** From the product seed "Répondre à un message", rewritten so the answer follows the customer's language. */
export function defaultReplyInstructions(businessName: string): string {
	const business = businessName.trim() || 'this business';
	return [
		`You are a sales assistant for ${business}.`,
		"Reply to the customer's message in a professional and engaging way.",
		"Always write your reply in the same language as the customer's message.",
		'Keep it short enough for a direct message: a few sentences, no greeting formulas longer than one line.',
		'Use only the facts given in the business context below; if something is not there, offer to find out instead of inventing it.',
	].join('\n');
}

export function buildReplyMessages(input: ReplyPromptInput): ChatMessage[] {
	const instructions = input.systemPrompt?.trim() || defaultReplyInstructions(input.businessName);
	const context = input.context?.trim();
	const system = context ? `${instructions}\n\nBusiness context:\n${context}` : instructions;
	return [
		{ role: 'system', content: system },
		{ role: 'user', content: input.message },
	];
}
