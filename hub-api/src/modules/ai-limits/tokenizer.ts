/**
 * Token counts with the real BPE tokenizer of the model family (gpt-tokenizer: pure JavaScript, the encodings ship in
 * the npm package, no network, no wasm). Two encodings cover the chat models: o200k_base (gpt-4o, gpt-4.1, gpt-4.5,
 * gpt-5, o1/o3/o4 …) and cl100k_base (gpt-4, gpt-3.5-turbo). Any other model, an OpenAI one this table does not know
 * yet or another vendor's served through an OpenAI-compatible endpoint (llama, mistral …), is counted with
 * o200k_base, OpenAI's current encoding: exact for new OpenAI models, an estimate for other vendors' (whose own
 * tokenizers are not in the package) that `encoding` in the answer makes visible.
 */
import type { TokenEncoding } from '../../../../contracts/hub-api';

type EncodingName = TokenEncoding;
export const DEFAULT_ENCODING: EncodingName = 'o200k_base';

/** Most specific first: `gpt-4o…` before `gpt-4…`. Matched against the model name, lower case, without a vendor prefix. */
const FAMILIES: [prefix: string, encoding: EncodingName][] = [
	['gpt-4o', 'o200k_base'],
	['chatgpt-4o', 'o200k_base'],
	['gpt-4.1', 'o200k_base'],
	['gpt-4.5', 'o200k_base'],
	['gpt-5', 'o200k_base'],
	['gpt-oss', 'o200k_base'],
	['o1', 'o200k_base'],
	['o3', 'o200k_base'],
	['o4', 'o200k_base'],
	['gpt-4', 'cl100k_base'],
	['gpt-3.5', 'cl100k_base'],
	['gpt-35', 'cl100k_base'],
];

/** The encoding of `model`; `openai/gpt-4o` (a router's vendor prefix) counts as `gpt-4o`. */
export function encodingFor(model: string): EncodingName {
	const name = model.trim().toLowerCase().split('/').pop() ?? '';
	return FAMILIES.find(([prefix]) => name.startsWith(prefix))?.[1] ?? DEFAULT_ENCODING;
}

type Encode = (text: string) => number;

/**
 * User text is data: a contact writing `<|endoftext|>` gets it counted as the plain characters it is, where the
 * library's default would throw on a special token.
 */
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

const loading = new Map<EncodingName, Promise<Encode>>();

/**
 * Each encoding's ranks are loaded on first use (o200k_base takes about half a second and some 40 MB), once per
 * process, so a hub whose tenants never ask for a context pays nothing.
 */
function load(encoding: EncodingName): Promise<Encode> {
	let encode = loading.get(encoding);
	if (!encode) {
		const module =
			encoding === 'o200k_base'
				? import('gpt-tokenizer/cjs/encoding/o200k_base')
				: import('gpt-tokenizer/cjs/encoding/cl100k_base');
		encode = module.then((loaded) => (text: string) => loaded.countTokens(text, AS_PLAIN_TEXT));
		loading.set(encoding, encode);
	}
	return encode;
}

/**
 * OpenAI's accounting of a chat prompt (the cookbook's num_tokens_from_messages for gpt-3.5-turbo-0613 and later):
 * every message costs its content and role plus 3 framing tokens, and every prompt 3 more that prime the reply.
 */
export const TOKENS_PER_MESSAGE = 3;
export const REPLY_PRIMING_TOKENS = 3;

export interface ChatTokenCounter {
	encoding: EncodingName;
	/** One message as part of a chat prompt: its content, its role and its framing. */
	message(role: string, content: string): number;
}

export async function chatTokenCounter(model: string): Promise<ChatTokenCounter> {
	const encoding = encodingFor(model);
	const count = await load(encoding);
	return { encoding, message: (role, content) => TOKENS_PER_MESSAGE + count(role) + count(content) };
}
