import { expectDocumented } from './support/documented';

const agent = {
	id: '2b0c6f0e-9a43-4c1f-8f5e-0d6f1c2a3b4c',
	accountId: '7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6',
	name: 'Front desk',
	status: 'ACTIVE',
	type: null,
	templateSlug: null,
	templateVersion: null,
	errorReason: null,
	n8nWorkflowId: null,
	config: {},
	deployedAt: null,
	createdAt: '2025-01-02T03:04:05.678Z',
	updatedAt: '2025-01-02T03:04:05.678Z',
	deletedAt: null,
};

describe('expectDocumented', () => {
	it('accepts an answer the document promises, $ref components included', () => {
		expect(() => expectDocumented({ status: 201, body: { agent } }, 'post', '/api/agents')).not.toThrow();
		expect(() => expectDocumented({ status: 200, body: { agents: [agent, agent] } }, 'get', '/api/agents')).not.toThrow();
		expect(() => expectDocumented({ status: 204, body: undefined }, 'delete', '/api/agents/{id}')).not.toThrow();
	});

	it('rejects a body with a missing, mistyped, wrongly formatted or undocumented field', () => {
		const nameless: Partial<typeof agent> = { ...agent };
		delete nameless.name;
		const created = (body: unknown) => () => expectDocumented({ status: 201, body }, 'post', '/api/agents');
		expect(created({ agent: nameless })).toThrow(/\/agent must have required property 'name'/);
		expect(created({ agent: { ...agent, status: 'ASLEEP' } })).toThrow(/\/agent\/status must be equal to one of/);
		expect(created({ agent: { ...agent, createdAt: 'today' } })).toThrow(/createdAt must match format "date-time"/);
		expect(created({ agent: { ...agent, id: 'agent-1' } })).toThrow(/\/agent\/id must match format "uuid"/);
		expect(created({ agent: { ...agent, hubApiKeyId: agent.id } })).toThrow(/"unevaluatedProperty":"hubApiKeyId"/);
		expect(created(agent)).toThrow(/\(body\) must have required property 'agent'/);
	});

	it('rejects a status, an operation or a body the document does not have', () => {
		expect(() => expectDocumented({ status: 500, body: {} }, 'post', '/api/agents')).toThrow(
			'POST /api/agents answered 500; documented: 201, 400, 401, 403, 404, 422',
		);
		expect(() => expectDocumented({ status: 200, body: {} }, 'patch', '/api/agents')).toThrow(
			'PATCH /api/agents is not in the OpenAPI document',
		);
		expect(() => expectDocumented({ status: 204, body: { agent } }, 'delete', '/api/agents/{id}')).toThrow(
			'DELETE /api/agents/{id} answered 204 with a body; documented without one',
		);
		const html = new Headers({ 'content-type': 'text/html; charset=utf-8' });
		expect(() => expectDocumented({ status: 200, headers: html, body: '<p>' }, 'get', '/api/agents')).toThrow(
			'GET /api/agents answered 200 as text/html; documented: application/json',
		);
	});

	it('checks error answers against the one error body', () => {
		const notFound = { error: { code: 'not_found', message: 'Agent not found' } };
		expect(() => expectDocumented({ status: 404, body: notFound }, 'get', '/api/agents/{id}')).not.toThrow();
		expect(() => expectDocumented({ status: 404, body: { message: 'nope' } }, 'get', '/api/agents/{id}')).toThrow(
			/must have required property 'error'/,
		);
	});
});
