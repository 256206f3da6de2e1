/**
 * Prompts of the SkyBot AI operations. Each builds the `messages` of one chat-completion request. The customer's
 * text always goes in its own user message, never into the instructions, so it cannot rewrite them.
 */
import { defaultReplyInstructions, withContext } from '../../../contracts/reply-prompt';

export { defaultReplyInstructions };

export interface ChatMessage {
	/** `assistant`: an earlier reply of the conversation (the pipeline's history). */
	role: 'system' | 'user' | 'assistant';
	content: string;
}

/** The instructions as the system message and the customer's text, untouched, alone in the user message. */
function chat(instructions: string, customerText: string): ChatMessage[] {
	return [
		{ role: 'system', content: instructions },
		{ role: 'user', content: customerText },
	];
}

export interface ReplyPromptInput {
	businessName: string;
	message: string;
	context?: string;
	/** Replaces the default instructions; the business context is still appended. */
	systemPrompt?: string;
}

export function buildReplyMessages(input: ReplyPromptInput): ChatMessage[] {
	const instructions = input.systemPrompt?.trim() || defaultReplyInstructions(input.businessName);
	return chat(withContext(instructions, input.context), input.message);
}

/**
 * From the seed "Extraire un numéro" (format +33XXXXXXXXX), generalised to E.164 with the tenant's default country
 * for numbers written without a country code. The answer is checked in code (readPhoneAnswer), never trusted.
 */
export function buildPhoneMessages(input: { text: string; countryName: string; callingCode: string }): ChatMessage[] {
	const system = [
		"Extract the customer's phone number from the text in the next message.",
		'Answer with the phone number only, in international E.164 format: a plus sign, the country calling code and the number, without spaces (for example +33612345678).',
		`A number written without a country calling code is a ${input.countryName} number (+${input.callingCode}).`,
		'The number may be written with words, spaces or unusual separators; rewrite it with digits.',
		'If the text contains several phone numbers, answer with the one the customer gives as theirs, or else the first.',
		'If the text contains no phone number, answer exactly NONE.',
	].join('\n');
	return chat(system, input.text);
}

export const TEMPERATURES = ['hot', 'warm', 'cold'] as const;
export type LeadTemperature = (typeof TEMPERATURES)[number];

/** From the seed "Classer un prospect", with the levels defined and a JSON answer a parser can hold to. */
export function buildClassifyMessages(input: { conversation: string; businessName?: string; context?: string }): ChatMessage[] {
	const business = input.businessName?.trim();
	const system = [
		`Classify this prospect${business ? ` of ${business}` : ''} by their level of interest: hot, warm or cold.`,
		'- hot: ready to buy or book: asks for a price, availability, a quote or an appointment, or gives contact details to be called back.',
		'- warm: interested but not committed: asks questions about the offer, compares, says they will think about it.',
		'- cold: no buying interest: off-topic, spam, a complaint with no intent to buy, or a refusal.',
		'The conversation is in the next message; judge only from it.',
		'Answer with a JSON object and nothing else: {"temperature": "hot" | "warm" | "cold", "reason": "<one short sentence, in the language of the conversation>"}',
	].join('\n');
	return chat(withContext(system, input.context, 'Business context and qualification criteria'), input.conversation);
}

/** From the seed "Générer une relance": a nudge after `days` of silence, written in the prospect's language. */
/** Whole days from a day on; under a day (a follow-up inside the 24-hour messaging window), whole hours, at least 1. */
function silence(days: number): string {
	const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;
	return days >= 1 ? plural(Math.floor(days), 'day') : plural(Math.max(1, Math.round(days * 24)), 'hour');
}

export function buildFollowUpMessages(input: {
	lastMessage: string;
	days: number;
	businessName?: string;
	context?: string;
}): ChatMessage[] {
	const business = input.businessName?.trim() || 'this business';
	const elapsed = silence(input.days);
	const instructions = [
		`You are a sales assistant for ${business}. Write a follow-up message to a prospect who has not written for ${elapsed}.`,
		"Their last message is in the next message. Write in the same language as that message.",
		'Keep it to two or three sentences for a direct message: friendly, no pressure, and end with one simple question that restarts the conversation.',
		'Do not invent offers, prices or deadlines that are not in the business context.',
	].join('\n');
	return chat(withContext(instructions, input.context), input.lastMessage);
}

/** From the seed "Résumer une conversation" (3 key points), as JSON so each point stays a separate value. */
export function buildSummaryMessages(input: { conversation: string; pointCount: number }): ChatMessage[] {
	const count = input.pointCount;
	const system = [
		`Summarise the conversation in the next message in ${count} key point${count === 1 ? '' : 's'}, for a salesperson who will call this prospect.`,
		'Each point is one short sentence: what the prospect wants, their constraints (budget, dates, place), and what was promised or is still open.',
		'Write in the language of the conversation.',
		`Answer with a JSON object and nothing else: {"points": ["<point>", ...]} with at most ${count} points.`,
	].join('\n');
	return chat(system, input.conversation);
}
