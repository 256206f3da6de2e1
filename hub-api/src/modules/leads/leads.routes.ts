import { pipeline } from 'node:stream/promises';
import { Router } from 'express';
import type { LeadResponse } from '../../../../contracts/hub-api';
import { principalOf } from '../../http/auth';
import { parseInput } from '../../http/validate';
import type { AccountsService } from '../accounts/accounts.service';
import { type CsvValue, csvStream } from './csv';
import { getLeadQuery, leadParams, listLeadsQuery, upsertLeadBody } from './leads.schemas';
import type { LeadsService } from './leads.service';

/** Columns of the CSV export, in order: a header and how each lead fills it. */
const CSV_COLUMNS: [string, (lead: LeadResponse) => CsvValue][] = [
	['id', (lead) => lead.id],
	['provider', (lead) => lead.provider],
	['contact_external_id', (lead) => lead.contact.externalId],
	['name', (lead) => lead.contact.name],
	['handle', (lead) => lead.contact.handle],
	['phone', (lead) => lead.contact.phone],
	['temperature', (lead) => lead.temperature],
	['summary', (lead) => lead.summary],
	['last_message_text', (lead) => lead.lastMessageText],
	['conversation_id', (lead) => lead.conversationId],
	['agent_id', (lead) => lead.agentId],
	['first_seen_at', (lead) => lead.firstSeenAt],
	['last_message_at', (lead) => lead.lastMessageAt],
	['last_contacted_at', (lead) => lead.lastContactedAt],
	['follow_up_count', (lead) => lead.followUpCount],
	['follow_up_status', (lead) => lead.followUp?.status],
	['follow_up_reason', (lead) => lead.followUp?.reason],
	['follow_up_at', (lead) => lead.followUp?.at],
	['created_at', (lead) => lead.createdAt],
	['updated_at', (lead) => lead.updatedAt],
];

export function leadsRoutes(leads: LeadsService, accounts: AccountsService): Router {
	const router = Router();

	/** 201 when the contact became a lead, 200 when an existing lead took the new facts. */
	router.post('/', async (req, res) => {
		const body = parseInput(upsertLeadBody, req.body, 'body');
		const account = await accounts.resolveFor(principalOf(res), body.accountId);
		const { lead, created } = await leads.upsert(account.id, body);
		res.status(created ? 201 : 200).json(lead);
	});

	/** JSON pages, or with format=csv every matching lead (no paging) as a spreadsheet-safe download. */
	router.get('/', async (req, res) => {
		const query = parseInput(listLeadsQuery, req.query, 'query');
		const account = await accounts.resolveFor(principalOf(res), query.accountId);
		if (query.format === 'json') {
			res.json(await leads.list(account.id, query));
			return;
		}
		// The first page is read before any byte is sent, so a database failure still gets a proper error answer.
		const leadsLeft = leads.export(account.id, query);
		const first = await leadsLeft.next();
		res.status(200);
		res.type('text/csv; charset=utf-8');
		res.attachment('leads.csv');
		async function* records() {
			if (first.done) return;
			yield CSV_COLUMNS.map(([, cell]) => cell(first.value));
			for await (const lead of leadsLeft) yield CSV_COLUMNS.map(([, cell]) => cell(lead));
		}
		// pipeline honours backpressure: a slow client slows the reading of pages rather than filling the memory.
		await pipeline(records(), csvStream(CSV_COLUMNS.map(([header]) => header)), res).catch((error: unknown) => {
			// The client went away mid-download: nothing is left to answer, and reading stopped with it.
			if (res.destroyed && (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
			throw error;
		});
	});

	router.get('/:id', async (req, res) => {
		const { id } = parseInput(leadParams, req.params, 'params');
		const query = parseInput(getLeadQuery, req.query, 'query');
		const account = await accounts.resolveFor(principalOf(res), query.accountId);
		res.json(await leads.get(account.id, id));
	});
	return router;
}
