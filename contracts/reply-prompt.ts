/**
 * The reply's instructions, shared by the SkyBot AI node (Reply, prompt defined in the node) and the hub (the
 * pipeline admission builds the prompt from the agent's scenario). Pure functions, no dependency.
 */

/**
 * What the model answers, alone, when the question cannot be answered from what it was given and a person should
 * take over: the pipeline's confirmation hands the conversation to a person instead of sending it.
 */
export const ESCALATION_MARKER = 'HANDOVER';

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

/** The instructions followed by the business context under `heading`, or alone when there is no context. */
export function withContext(instructions: string, context: string | undefined, heading = 'Business context'): string {
	const text = context?.trim();
	return text ? `${instructions}\n\n${heading}:\n${text}` : instructions;
}

export interface AgentReplyPrompt {
	companyName?: string;
	/** The agent's own system prompt: replaces the default instructions. */
	prompt?: string;
	context?: string;
	/** BCP 47: the language to answer in when the customer's is unclear. */
	language?: string;
	/** The scenario rule's extra instructions for this message. */
	instructions?: string;
	/** A person can take the conversation over: the model may escalate with ESCALATION_MARKER. */
	escalation: boolean;
}

/** The system prompt of a pipeline reply: the agent's instructions, the rule's, escalation, then the business context. */
export function agentReplySystemPrompt(agent: AgentReplyPrompt): string {
	const parts = [agent.prompt?.trim() || defaultReplyInstructions(agent.companyName ?? '')];
	if (agent.language) parts.push(`When the customer's language is unclear, answer in ${agent.language}.`);
	if (agent.instructions?.trim()) parts.push(agent.instructions.trim());
	if (agent.escalation) {
		parts.push(
			`If the customer asks something the business context does not answer and you cannot help, or asks for a person, answer exactly ${ESCALATION_MARKER} and nothing else: a person will take over.`,
		);
	}
	return withContext(parts.join('\n'), agent.context);
}

/**
 * A scenario's `ai_qualify`: the model answers and qualifies the prospect in one call, as one JSON object the SkyBot
 * AI node reads strictly (a malformed answer fails the item: `ai_failed`, nothing sent, nothing guessed into the lead).
 */
export const QUALIFICATION_INSTRUCTIONS = [
	'Also qualify this prospect from the conversation: hot (ready to buy or book: asks for a price, availability, a quote or an appointment, or gives contact details), warm (interested, not committed) or cold (no buying interest).',
	'Answer with a JSON object and nothing else:',
	'{"reply": "<your reply to the customer>", "temperature": "hot" | "warm" | "cold", "reason": "<one short sentence>", "phone": "<the phone number the customer gave, in E.164 (+33612345678), or null>"}',
].join('\n');
