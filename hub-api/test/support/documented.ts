/**
 * expectDocumented(response, method, path): fails unless a real answer is one the hub's OpenAPI document promises.
 * The document is the one GET /api/docs/openapi.json serves (built from the same zod schemas); the body is validated
 * with ajv against the JSON Schema the document gives for that operation and status, `$ref`s to its components
 * included. Stricter than the document in one way: an object may not carry a property the document does not list
 * (the schemas do not say `additionalProperties: false`, but an undocumented field in an answer is drift, or a leak).
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { z } from 'zod';
import { hubOpenApiDocument } from '../../src/openapi';

const DOCUMENT_ID = 'openapi.json';
/** What an answer without headers is taken to be (the tests' own bodies). */
const JSON_TYPE = 'application/json';

/** The formats the document uses, checked by the zod validators that produced them (ajv knows none by itself). */
const FORMATS: Record<string, z.ZodType> = {
	uuid: z.uuid(),
	'date-time': z.iso.datetime({ offset: true }),
	email: z.email(),
	uri: z.url(),
};

/** Every object schema that lists its properties, closed to any other one (on a copy: the document is shared). */
function closeObjects(schema: unknown): unknown {
	if (Array.isArray(schema)) return schema.map(closeObjects);
	if (schema === null || typeof schema !== 'object') return schema;
	const copy = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, closeObjects(value)]));
	const isClosable =
		copy.type === 'object' && 'properties' in copy && !('additionalProperties' in copy) && !('unevaluatedProperties' in copy);
	return isClosable ? { ...copy, unevaluatedProperties: false } : copy;
}

let ajv: Ajv2020 | undefined;
function documentValidator(): Ajv2020 {
	if (ajv) return ajv;
	const document = hubOpenApiDocument();
	// strict: an unknown keyword or format in a response schema throws instead of being ignored.
	ajv = new Ajv2020({ allErrors: true, strict: true });
	for (const [name, format] of Object.entries(FORMATS)) {
		ajv.addFormat(name, (value: string) => format.safeParse(value).success);
	}
	// Added whole, so a response schema is reached by JSON pointer and its `#/components/schemas/…` references
	// resolve; the document's sections (paths, components, info…) are declared as keywords that validate nothing.
	ajv.addVocabulary(Object.keys(document));
	ajv.addSchema({ $id: DOCUMENT_ID, ...(closeObjects(document) as object) });
	return ajv;
}

const pointerTo = (...parts: string[]) =>
	parts.map((part) => encodeURIComponent(part.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');

export interface DocumentedResponse {
	status: number;
	/** Its Content-Type picks the documented media type; without headers, JSON. */
	headers?: Headers;
	body: unknown;
}

/**
 * Throws unless `response.status` is documented for `method path` (the document's path, e.g. `/api/agents/{id}`)
 * and `response.body` matches that status's schema for the answer's media type, or is empty where the document
 * gives no content.
 */
export function expectDocumented(response: DocumentedResponse, method: string, path: string): void {
	const operation = `${method.toUpperCase()} ${path}`;
	const paths = hubOpenApiDocument().paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
	const responses = paths[path]?.[method.toLowerCase()]?.responses;
	if (!responses) throw new Error(`${operation} is not in the OpenAPI document`);
	const answer = `${operation} answered ${response.status}`;
	const documented = responses[response.status] as { content?: Record<string, unknown> } | undefined;
	if (!documented) throw new Error(`${answer}; documented: ${Object.keys(responses).join(', ')}`);
	if (!documented.content) {
		if (response.body !== undefined) throw new Error(`${answer} with a body; documented without one`);
		return;
	}
	const mediaType = response.headers?.get('content-type')?.split(';')[0]!.trim() ?? JSON_TYPE;
	if (!documented.content[mediaType]) {
		throw new Error(`${answer} as ${mediaType}; documented: ${Object.keys(documented.content).join(', ')}`);
	}
	const at = pointerTo('paths', path, method.toLowerCase(), 'responses', `${response.status}`, 'content', mediaType);
	const validate = documentValidator().getSchema(`${DOCUMENT_ID}#/${at}/schema`) as ValidateFunction;
	if (!validate(response.body)) {
		const problems = (validate.errors ?? []).map(
			(error) => `${error.instancePath || '(body)'} ${error.message} ${JSON.stringify(error.params)}`,
		);
		throw new Error(`${answer}, a body that does not match the documented schema:\n  ${problems.join('\n  ')}`);
	}
}
