import type { LeadResponse } from '../../../contracts/hub-api';
import type { IExecuteFunctions, INode } from 'n8n-workflow';

import { buildListLeadsQuery, buildUpsertLeadRequest, isRefusedAsInvalid, LeadInputError, leadItem } from '../../../nodes/SkyBot/helpers/lead';
import { hubApiRequest } from '../../../nodes/SkyBot/transport';

describe('buildUpsertLeadRequest', () => {
	it('sends every known fact, trimmed, with the time as ISO 8601', () => {
		expect(
			buildUpsertLeadRequest({
				accountId: 'acc',
				agentId: 'agent',
				provider: 'instagram',
				contactExternalId: ' igsid-1 ',
				contactName: 'Léa',
				contactHandle: 'lea.m',
				phone: '+33612345678',
				accountExternalId: '1784',
				conversationId: 'conv',
				temperature: 'Hot',
				summary: '- Veut un devis',
				lastMessageAt: '2026-03-10T10:00:00+01:00',
				lastMessageText: 'Bonjour',
				contacted: true,
			}),
		).toEqual({
			accountId: 'acc',
			agentId: 'agent',
			provider: 'instagram',
			contact: { externalId: 'igsid-1', name: 'Léa', handle: 'lea.m', phone: '+33612345678' },
			accountExternalId: '1784',
			conversationId: 'conv',
			temperature: 'hot',
			summary: '- Veut un devis',
			lastMessageAt: '2026-03-10T09:00:00.000Z',
			lastMessageText: 'Bonjour',
			contacted: true,
		});
	});

	it('leaves unknown facts out (empty, null, undefined: what expressions give when a step did not run)', () => {
		expect(
			buildUpsertLeadRequest({
				provider: 'whatsapp',
				contactExternalId: 33612345678,
				contactName: '',
				contactHandle: null,
				phone: undefined,
				temperature: '  ',
				summary: null,
				lastMessageAt: '',
				contacted: 'true',
			}),
		).toEqual({ provider: 'whatsapp', contact: { externalId: '33612345678' } });
	});

	it('records a follow-up not sent with its reason, and nothing when the status is empty', () => {
		const base = { provider: 'instagram', contactExternalId: 'x' };
		expect(buildUpsertLeadRequest({ ...base, followUpStatus: 'window_closed', followUpReason: ' outside_messaging_window ' })).toEqual({
			provider: 'instagram',
			contact: { externalId: 'x' },
			followUp: { status: 'window_closed', reason: 'outside_messaging_window' },
		});
		expect(buildUpsertLeadRequest({ ...base, followUpStatus: 'failed', followUpReason: '' }).followUp).toEqual({ status: 'failed' });
		expect(buildUpsertLeadRequest({ ...base, followUpStatus: '', followUpReason: 'ignored without a status' })).toEqual({
			provider: 'instagram',
			contact: { externalId: 'x' },
		});
	});

	it('leaves out a phone that is not E.164 rather than failing the lead', () => {
		expect(buildUpsertLeadRequest({ provider: 'messenger', contactExternalId: 'x', phone: '06 12 34 56 78' }).contact).toEqual({
			externalId: 'x',
		});
	});

	it.each([
		[{ provider: 'myspace', contactExternalId: 'x' }, /Provider must be one of instagram, messenger/],
		[{ provider: undefined, contactExternalId: 'x' }, /not ""/],
		[{ provider: 'instagram', contactExternalId: ' ' }, /contact external ID is empty/],
		[{ provider: 'instagram', contactExternalId: 'x', temperature: 'tiède' }, /hot, warm or cold, not "tiède"/],
		[{ provider: 'instagram', contactExternalId: 'x', lastMessageAt: 'yesterday' }, /not an ISO 8601 date/],
		[{ provider: 'instagram', contactExternalId: 'x', followUpStatus: 'sent' }, /skipped, failed, window_closed, not "sent" \(a follow-up sent is recorded with Contacted\)/],
		[{ provider: 'instagram', contactExternalId: 'x', followUpStatus: 'failed', contacted: true }, /either sent \(Contacted\) or not sent/],
	])('fails the item for %p', (parameters, message) => {
		expect(() => buildUpsertLeadRequest(parameters)).toThrow(LeadInputError);
		expect(() => buildUpsertLeadRequest(parameters)).toThrow(message);
	});
});

describe('buildListLeadsQuery', () => {
	it('sends the filters that are set', () => {
		expect(
			buildListLeadsQuery({
				accountId: 'acc',
				temperatures: ['hot', 'warm'],
				provider: 'messenger',
				agentId: 'agent',
				idleDays: 3,
				lastContactBefore: '2026-03-10T10:00:00+01:00',
				followUpCountBelow: 2,
				limit: 100,
				cursor: 'abc',
			}),
		).toBe('accountId=acc&temperature=hot%2Cwarm&provider=messenger&agentId=agent&idleDays=3&lastContactBefore=2026-03-10T09%3A00%3A00.000Z&followUpCountBelow=2&limit=100&cursor=abc');
		expect(buildListLeadsQuery({ temperatures: [], idleDays: 0, limit: 50 })).toBe('limit=50');
		// n8n's DateTime (Luxon) converts through valueOf, like `$now.minus({ hours: 20 })`.
		const dateTime = { valueOf: () => Date.parse('2026-03-10T09:00:00.000Z') };
		expect(buildListLeadsQuery({ lastContactBefore: dateTime, limit: 1 })).toBe('lastContactBefore=2026-03-10T09%3A00%3A00.000Z&limit=1');
		expect(() => buildListLeadsQuery({ lastContactBefore: 'yesterday', limit: 1 })).toThrow(/"Idle Since Before" is not a date/);
	});

	it('sends a follow-up sequence as typed (the hub judges the hours) and the follow-up states', () => {
		expect(
			buildListLeadsQuery({ followUp: 'due', followUpAfterHours: ' 1, 20 ', windowHours: 24, followUpStatuses: ['failed', 'skipped'], limit: 100 }),
		).toBe('followUpStatus=failed%2Cskipped&followUp=due&followUpAfterHours=1%2C20&windowHours=24&limit=100');
		// Without Follow-Up, the sequence and the window mean nothing and are not sent.
		expect(buildListLeadsQuery({ followUpAfterHours: '1, 20', windowHours: 24, limit: 5 })).toBe('limit=5');
	});

	it.each([
		[{ followUp: 'due', followUpAfterHours: '  ' }, /needs the sequence/],
		[{ followUp: 'later', followUpAfterHours: '1' }, /"Follow-Up" must be one of due, window_closed, not "later"/],
		[{ followUpStatuses: ['sent', 'lost'] }, /Unknown follow-up status: lost/],
	])('refuses %p before asking the hub', (filters, message) => {
		expect(() => buildListLeadsQuery({ ...filters, limit: 1 })).toThrow(LeadInputError);
		expect(() => buildListLeadsQuery({ ...filters, limit: 1 })).toThrow(message);
	});
});

describe('leadItem', () => {
	it('shapes a lead like a pipeline item for its contact, with the lead itself under `lead`', () => {
		const lead: LeadResponse = {
			id: 'lead-1',
			accountId: 'acc',
			agentId: 'agent',
			provider: 'instagram',
			accountExternalId: '1784',
			conversationId: 'conv',
			contact: { externalId: 'igsid-1', name: 'Léa', handle: null, phone: '+33612345678' },
			temperature: 'warm',
			summary: null,
			lastMessageText: 'Je réfléchis',
			firstSeenAt: '2026-03-01T09:00:00.000Z',
			lastMessageAt: '2026-03-01T09:00:00.000Z',
			lastContactedAt: null,
			lastActivityAt: '2026-03-01T09:00:00.000Z',
			idleDays: 9,
			followUpCount: 0,
			followUp: null,
			createdAt: '2026-03-01T09:00:00.000Z',
			updatedAt: '2026-03-01T09:00:00.000Z',
		};
		expect(leadItem(lead)).toEqual({
			kind: 'dm',
			provider: 'instagram',
			accountExternalId: '1784',
			conversationId: 'conv',
			timestamp: '2026-03-01T09:00:00.000Z',
			contact: lead.contact,
			route: { accountId: 'acc', agentId: 'agent' },
			lead,
		});
	});
});

describe('isRefusedAsInvalid', () => {
	const node = { name: 'Upsert lead', type: 'n8n-nodes-skybot.skyBot', typeVersion: 1, position: [0, 0], parameters: {} } as INode;
	/** The error the SkyBot transport throws when the hub answers `status` with `code`. */
	const hubError = (status: number, code: string): Promise<unknown> => {
		const context = {
			getNode: () => node,
			getCredentials: async () => ({ baseUrl: 'http://hub.test' }),
			helpers: {
				httpRequestWithAuthentication: async () => ({ statusCode: status, body: { error: { code, message: 'refused' } }, headers: {} }),
			},
		} as unknown as IExecuteFunctions;
		return hubApiRequest.call(context, 'POST', '/api/leads', 0).then(
			() => new Error('the hub call succeeded'),
			(error: unknown) => error,
		);
	};

	it("is the hub's 422 validation_failed (what it answers for an invalid phone), and nothing else", async () => {
		expect(isRefusedAsInvalid(await hubError(422, 'validation_failed'))).toBe(true);
		expect(isRefusedAsInvalid(await hubError(404, 'agent_not_found'))).toBe(false);
		expect(isRefusedAsInvalid(await hubError(503, 'validation_failed'))).toBe(false);
		expect(isRefusedAsInvalid(await hubError(422, 'plan_limit'))).toBe(false);
		expect(isRefusedAsInvalid(new Error('socket hang up'))).toBe(false);
	});
});
