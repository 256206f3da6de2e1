/**
 * Strict readers of the models' structured answers (classification, summary). A model is free text by nature: an
 * answer that does not hold the expected JSON is reported as an AnswerFormatError naming what was wrong, never
 * guessed into a value that would then land in a CRM.
 */
import { isRecord } from '../../shared/json';
import { TEMPERATURES, type LeadTemperature } from './prompts';

export class AnswerFormatError extends Error {}

const MAX_REASON_LENGTH = 500;
const MAX_POINT_LENGTH = 500;
const EXCERPT_LENGTH = 120;

function excerpt(answer: string): string {
	const flat = answer.replace(/\s+/g, ' ').trim();
	return flat.length > EXCERPT_LENGTH ? `${flat.slice(0, EXCERPT_LENGTH)}…` : flat;
}

const NOT_JSON = Symbol('not JSON');

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return NOT_JSON;
	}
}

/**
 * The answer as a JSON object. Servers without JSON mode often wrap it in a Markdown code fence: one fence around
 * the whole answer is removed, nothing more lenient than that.
 */
function parseJsonObject(answer: string, what: string): Record<string, unknown> {
	const unfenced = answer.trim().replace(/^```(?:json)?\s*\n?([\s\S]*?)\n?```$/i, '$1').trim();
	const parsed = parseJson(unfenced);
	if (parsed === NOT_JSON) throw new AnswerFormatError(`The model's ${what} is not JSON: "${excerpt(answer)}"`);
	if (!isRecord(parsed)) throw new AnswerFormatError(`The model's ${what} is not a JSON object: "${excerpt(answer)}"`);
	return parsed;
}

export interface Classification {
	temperature: LeadTemperature;
	reason: string;
}

/** The answer's "temperature" (its case normalised), or an AnswerFormatError naming `what`. */
function readTemperature(json: Record<string, unknown>, answer: string, what: string): LeadTemperature {
	const temperature = typeof json.temperature === 'string' ? json.temperature.trim().toLowerCase() : undefined;
	if (!(TEMPERATURES as readonly string[]).includes(temperature ?? '')) {
		throw new AnswerFormatError(`The model's ${what} has no valid "temperature" (hot, warm or cold): "${excerpt(answer)}"`);
	}
	return temperature as LeadTemperature;
}

/** {"temperature": "hot"|"warm"|"cold", "reason": "…"} → Classification (the level's case is normalised). */
export function parseClassification(answer: string): Classification {
	const json = parseJsonObject(answer, 'classification');
	const temperature = readTemperature(json, answer, 'classification');
	const reason = typeof json.reason === 'string' ? json.reason.trim() : '';
	if (reason === '') {
		throw new AnswerFormatError(`The model's classification has no "reason": "${excerpt(answer)}"`);
	}
	return { temperature, reason: reason.slice(0, MAX_REASON_LENGTH) };
}

export interface Summary {
	points: string[];
	/** The points as a bulleted text, one per line: ready for a CRM note or the hub's lead summary. */
	text: string;
}

/** {"points": ["…", …]} → the first `maxPoints` non-empty points and their bulleted text. */
export function parseSummary(answer: string, maxPoints: number): Summary {
	const json = parseJsonObject(answer, 'summary');
	if (!Array.isArray(json.points)) {
		throw new AnswerFormatError(`The model's summary has no "points" list: "${excerpt(answer)}"`);
	}
	if (!json.points.every((point) => typeof point === 'string')) {
		throw new AnswerFormatError(`The model's summary points are not all text: "${excerpt(answer)}"`);
	}
	const points = (json.points as string[])
		.map((point) => point.trim().replace(/^[-•*]\s*/, '').slice(0, MAX_POINT_LENGTH))
		.filter((point) => point !== '')
		.slice(0, maxPoints);
	if (points.length === 0) throw new AnswerFormatError(`The model's summary has no points: "${excerpt(answer)}"`);
	return { points, text: points.map((point) => `- ${point}`).join('\n') };
}

export interface QualifiedReply {
	text: string;
	qualification: { temperature: LeadTemperature; reason: string; phone: string | null };
}

/**
 * The JSON of QUALIFICATION_INSTRUCTIONS (a scenario's ai_qualify): the reply to send and the prospect's temperature;
 * `phone` as the model wrote it (the hub keeps it only if it is a valid number), null when none.
 */
export function parseQualifiedReply(answer: string): QualifiedReply {
	const json = parseJsonObject(answer, 'qualified reply');
	const text = typeof json.reply === 'string' ? json.reply.trim() : '';
	if (text === '') throw new AnswerFormatError(`The model's qualified reply has no "reply": "${excerpt(answer)}"`);
	const temperature = readTemperature(json, answer, 'qualified reply');
	const reason = typeof json.reason === 'string' ? json.reason.trim().slice(0, MAX_REASON_LENGTH) : '';
	const phone = typeof json.phone === 'string' && json.phone.trim() !== '' ? json.phone.trim() : null;
	return { text, qualification: { temperature, reason, phone } };
}
