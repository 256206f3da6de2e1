/**
 * A fake of the parts of n8n's public API (`/api/v1`, header X-N8N-API-KEY) the hub and the scripts drive: credentials,
 * workflows, publish / unpublish, tags, and their lists in pages of `limit` (at most 250) with a `nextCursor`. It keeps
 * state like n8n (a published workflow cannot be deleted, tag names are unique and at most 24 characters) and refuses what n8n refuses or what would break at run time: unknown body fields,
 * credential data missing required fields, workflows that still contain `{{skybot:…}}` placeholders or reference
 * credentials that do not exist. Tests can make it fail (`failCalls`), hold calls (`hold`) or stop it to simulate
 * n8n going down. The real n8n is exercised by the end-to-end suite.
 */
import { randomBytes } from 'node:crypto';
import { FakeHttpError, type FakeReply, type FakeServer, type RecordedRequest, startFakeServer } from './http-fake';

export interface FakeCredential {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface FakeWorkflow {
	id: string;
	name: string;
	active: boolean;
	nodes: { name: string; type: string; parameters?: Record<string, unknown>; credentials?: Record<string, { id: string; name: string }> }[];
	connections: Record<string, unknown>;
	settings: Record<string, unknown>;
	tagIds: string[];
}

export interface FakeN8n extends FakeServer {
	apiKey: string;
	credentials: Map<string, FakeCredential>;
	workflows: Map<string, FakeWorkflow>;
	tags: Map<string, { id: string; name: string }>;
	/**
	 * Lets `after` more calls through, then answers the next `count` calls (Infinity: all of them) with `status`,
	 * as an n8n failing halfway through an install.
	 */
	failCalls(options: { after?: number; count?: number; status?: number }): void;
	/** Stops failing. */
	heal(): void;
	/** Holds calls matching `matches` until the returned release() is called; `reached` resolves once one is held. */
	hold(matches: (request: RecordedRequest) => boolean): { reached: Promise<void>; release(): void };
}

/** Required credential data per type, as n8n's credential schemas declare them (a subset of the real types). */
const CREDENTIAL_TYPES: Record<string, string[]> = {
	skyBotHubApi: ['baseUrl', 'apiKey'],
	skyBotMetaAppApi: ['appSecret', 'verifyToken'],
	openAiApi: ['apiKey'],
};

const WORKFLOW_FIELDS = new Set(['name', 'nodes', 'connections', 'settings', 'staticData']);
const CREDENTIAL_FIELDS = new Set(['name', 'type', 'data', 'projectId', 'isResolvable']);

const newId = () => randomBytes(8).toString('base64url');
const notFound = () => new FakeHttpError(404, { message: 'Not Found' });
const badRequest = (message: string) => new FakeHttpError(400, { message });

function isObject(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function offsetOf(cursor: string): number {
	try {
		const { offset } = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { offset?: unknown };
		if (Number.isInteger(offset)) return offset as number;
	} catch {
		// not a cursor this fake gave out
	}
	throw badRequest('An invalid cursor was provided');
}

/** One page of a list as n8n answers it: `limit` 1 to 250 (default 100), an opaque cursor to the next page or null. */
function listPage(items: unknown[], query: Record<string, string>): FakeReply {
	const limit = query.limit === undefined ? 100 : Number(query.limit);
	if (!Number.isInteger(limit) || limit < 1 || limit > 250) throw badRequest('request/query/limit must be <= 250');
	const offset = query.cursor === undefined ? 0 : offsetOf(query.cursor);
	const end = offset + limit;
	const nextCursor = end < items.length ? Buffer.from(JSON.stringify({ offset: end })).toString('base64url') : null;
	return { status: 200, body: { data: items.slice(offset, end), nextCursor } };
}

export async function startFakeN8n(): Promise<FakeN8n> {
	const apiKey = `n8n_api_${randomBytes(12).toString('hex')}`;
	const credentials = new Map<string, FakeCredential>();
	const workflows = new Map<string, FakeWorkflow>();
	const tags = new Map<string, { id: string; name: string }>();
	let failure: { after: number; count: number; status: number } | null = null;
	const holds: { matches: (request: RecordedRequest) => boolean; gate: Promise<void>; reached: () => void }[] = [];

	const readWorkflow = (body: unknown): Omit<FakeWorkflow, 'id' | 'active' | 'tagIds'> => {
		if (!isObject(body)) throw badRequest('request/body must be object');
		const extra = Object.keys(body).find((key) => !WORKFLOW_FIELDS.has(key));
		if (extra) throw badRequest(`request/body must NOT have additional properties (${extra})`);
		if (typeof body.name !== 'string' || body.name.length === 0 || body.name.length > 128) {
			throw badRequest('request/body/name must be a string of 1 to 128 characters');
		}
		if (!Array.isArray(body.nodes) || !isObject(body.connections) || !isObject(body.settings)) {
			throw badRequest("request/body must have required properties 'nodes', 'connections', 'settings'");
		}
		const text = JSON.stringify(body);
		const leftover = /\{\{skybot:[^}]*\}\}/.exec(text);
		if (leftover) throw badRequest(`unresolved template placeholder ${leftover[0]}`);
		for (const node of body.nodes as FakeWorkflow['nodes']) {
			if (typeof node?.name !== 'string' || typeof node.type !== 'string') {
				throw badRequest('request/body/nodes items need name and type');
			}
			for (const [type, reference] of Object.entries(node.credentials ?? {})) {
				const stored = credentials.get(reference?.id);
				if (!stored || stored.type !== type) {
					throw badRequest(`node "${node.name}" references a ${type} credential that does not exist`);
				}
			}
		}
		return {
			name: body.name,
			nodes: body.nodes as FakeWorkflow['nodes'],
			connections: body.connections,
			settings: body.settings,
		};
	};

	const readCredential = (body: unknown): Omit<FakeCredential, 'id'> => {
		if (!isObject(body)) throw badRequest('request/body must be object');
		const extra = Object.keys(body).find((key) => !CREDENTIAL_FIELDS.has(key));
		if (extra) throw badRequest(`request/body must NOT have additional properties (${extra})`);
		const required = typeof body.type === 'string' ? CREDENTIAL_TYPES[body.type] : undefined;
		if (typeof body.name !== 'string' || !required || !isObject(body.data)) {
			throw badRequest('request/body needs name, a known type and data');
		}
		const data = body.data;
		const missing = required.filter((field) => typeof data[field] !== 'string' || data[field] === '');
		if (missing.length) throw badRequest(`request.body.data requires property "${missing[0]}"`);
		return { name: body.name, type: body.type as string, data };
	};

	const workflowOf = (id: string | undefined) => {
		const workflow = workflows.get(id ?? '');
		if (!workflow) throw notFound();
		return workflow;
	};

	const handle = (request: RecordedRequest): FakeReply => {
		const path = request.path.replace(/^\/api\/v1/, '');
		const [, resource, id, action] = path.split('/');
		const ok = (body: unknown): FakeReply => ({ status: 200, body });

		if (resource === 'credentials') {
			if (request.method === 'GET' && !id) {
				return listPage([...credentials.values()].map(({ id, name, type }) => ({ id, name, type })), request.query);
			}
			if (request.method === 'POST' && !id) {
				const credential = { id: newId(), ...readCredential(request.json) };
				credentials.set(credential.id, credential);
				return ok({ id: credential.id, name: credential.name, type: credential.type });
			}
			if (request.method === 'PATCH' && id) {
				const credential = credentials.get(id);
				if (!credential) throw notFound();
				Object.assign(credential, readCredential(request.json));
				return ok({ id, name: credential.name, type: credential.type });
			}
			if (request.method === 'DELETE' && id) {
				const credential = credentials.get(id);
				if (!credential) throw notFound();
				credentials.delete(id);
				return ok({ id, name: credential.name, type: credential.type });
			}
		}

		if (resource === 'tags') {
			if (request.method === 'GET' && !id) return listPage([...tags.values()], request.query);
			if (request.method === 'POST' && !id) {
				const name = isObject(request.json) ? request.json.name : undefined;
				if (typeof name !== 'string' || name.length === 0 || name.length > 24) {
					throw badRequest('Tag name must be 1 to 24 characters');
				}
				if ([...tags.values()].some((tag) => tag.name === name)) throw new FakeHttpError(409, { message: 'Tag already exists' });
				const tag = { id: newId(), name };
				tags.set(tag.id, tag);
				return { status: 201, body: tag };
			}
		}

		if (resource === 'workflows') {
			if (request.method === 'GET' && !id) return listPage([...workflows.values()], request.query);
			if (request.method === 'POST' && !id) {
				const workflow: FakeWorkflow = { id: newId(), active: false, tagIds: [], ...readWorkflow(request.json) };
				workflows.set(workflow.id, workflow);
				return ok(workflow);
			}
			if (!action) {
				if (request.method === 'GET') return ok(workflowOf(id));
				if (request.method === 'PUT') {
					const workflow = workflowOf(id);
					Object.assign(workflow, readWorkflow(request.json));
					return ok(workflow);
				}
				if (request.method === 'DELETE') {
					const workflow = workflowOf(id);
					if (workflow.active) {
						throw new FakeHttpError(409, { message: 'Cannot delete a published workflow. Unpublish it before deleting.' });
					}
					workflows.delete(workflow.id);
					return ok(workflow);
				}
			}
			if (request.method === 'POST' && (action === 'publish' || action === 'unpublish')) {
				const workflow = workflowOf(id);
				workflow.active = action === 'publish';
				return ok(workflow);
			}
			if (request.method === 'PUT' && action === 'tags') {
				const workflow = workflowOf(id);
				const body = request.json;
				if (!Array.isArray(body) || body.some((item) => !isObject(item) || Object.keys(item).join() !== 'id')) {
					throw badRequest('request/body must be an array of {id}');
				}
				const tagIds = body.map((item) => String((item as { id: unknown }).id));
				if (tagIds.some((tagId) => !tags.has(tagId))) throw notFound();
				workflow.tagIds = tagIds;
				return ok(tagIds.map((tagId) => tags.get(tagId)));
			}
		}
		throw notFound();
	};

	const server = await startFakeServer(async (request) => {
		if (request.headers['x-n8n-api-key'] !== apiKey) throw new FakeHttpError(401, { message: 'unauthorized' });
		const held = holds.find((hold) => hold.matches(request));
		if (held) {
			holds.splice(holds.indexOf(held), 1);
			held.reached();
			await held.gate;
		}
		if (failure) {
			if (failure.after > 0) failure.after--;
			else if (failure.count > 0) {
				failure.count--;
				throw new FakeHttpError(failure.status, { message: 'Internal error (injected by the test)' });
			}
		}
		return handle(request);
	});

	return {
		...server,
		apiKey,
		credentials,
		workflows,
		tags,
		failCalls: ({ after = 0, count = Infinity, status = 500 }) => {
			failure = { after, count, status };
		},
		heal: () => {
			failure = null;
		},
		hold: (matches) => {
			let reached!: () => void;
			let release!: () => void;
			const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
			const gate = new Promise<void>((resolve) => (release = resolve));
			holds.push({ matches, gate, reached });
			return { reached: reachedPromise, release };
		},
	};
}
