import type { InboundMessage } from '../../../contracts/inbound-message';
import {
	EMITTABLE_EVENTS,
	epochToIso,
	filterEvents,
	normalizeMetaDelivery,
} from '../../../nodes/SkyBotMetaTrigger/normalize';
import {
	batch,
	instagramComment,
	instagramMessage,
	messengerMessage,
	messengerRead,
	serializeLikeMeta,
	whatsappStatus,
	whatsappText,
} from '../../fakes/meta-webhook';

const AT = new Date('2026-03-14T09:26:53.000Z');
const RECEIVED_AT = new Date('2026-03-14T09:27:00.000Z');

/** Parse the bytes Meta would send, as the trigger does. */
function normalize(payload: unknown) {
	return normalizeMetaDelivery(JSON.parse(serializeLikeMeta(payload)), RECEIVED_AT);
}

describe('Messenger', () => {
	it('turns a message into a dm from the sender to the page', () => {
		const payload = messengerMessage({ accountId: '1111', senderId: '2222', mid: 'm_abc', text: 'Bonjour 😀', at: AT });
		expect(normalize(payload)).toEqual({
			ignored: 0,
			messages: [
				{
					provider: 'messenger',
					kind: 'dm',
					messageId: 'm_abc',
					accountExternalId: '1111',
					conversationId: 'messenger:1111:2222',
					contact: { externalId: '2222' },
					text: 'Bonjour 😀',
					timestamp: AT.toISOString(),
				},
			],
		});
	});

	it('keeps attachments with their URL', () => {
		const payload = messengerMessage({
			text: undefined,
			attachments: [{ type: 'image', payload: { url: 'https://cdn.example/a.jpg' } }],
		});
		delete (payload.entry[0].messaging as { message: { text?: string } }[])[0].message.text;
		const [message] = normalize(payload).messages;
		expect(message.text).toBeUndefined();
		expect(message.attachments).toEqual([{ type: 'image', url: 'https://cdn.example/a.jpg' }]);
	});

	it('classifies an echo as a dm with isEcho, the contact being the recipient', () => {
		const payload = messengerMessage({ accountId: '1111', senderId: '2222', echo: true, at: AT });
		const [message] = normalize(payload).messages;
		expect(message).toMatchObject({
			kind: 'dm',
			isEcho: true,
			accountExternalId: '1111',
			contact: { externalId: '2222' },
			conversationId: 'messenger:1111:2222',
		});
	});

	it('classifies reads, deliveries and postbacks', () => {
		const read = messengerRead({ pageId: '1111', senderId: '2222', at: AT });
		const delivery = {
			object: 'page',
			entry: [
				{
					id: '1111',
					time: AT.getTime(),
					messaging: [
						{
							sender: { id: '2222' },
							recipient: { id: '1111' },
							timestamp: AT.getTime(),
							delivery: { mids: ['m_sent'], watermark: AT.getTime() },
						},
						{
							sender: { id: '2222' },
							recipient: { id: '1111' },
							timestamp: AT.getTime(),
							postback: { mid: 'm_pb', title: 'Voir les tarifs', payload: 'PRICES' },
						},
					],
				},
			],
		};
		const { messages } = normalize(batch(read, delivery as never));
		expect(messages.map((m) => [m.kind, m.messageId, m.text])).toEqual([
			['read', `read:2222:${AT.getTime()}`, undefined],
			['status', `delivery:2222:${AT.getTime()}`, 'delivered'],
			['postback', 'm_pb', 'Voir les tarifs'],
		]);
		expect(messages.every((m) => m.conversationId === 'messenger:1111:2222')).toBe(true);
	});

	it('counts events it does not understand instead of guessing', () => {
		const payload = {
			object: 'page',
			entry: [
				{
					id: '1111',
					messaging: [
						{ sender: { id: '2' }, recipient: { id: '1111' }, timestamp: 1, reaction: { mid: 'm', action: 'react' } },
						{ sender: { id: '2' }, recipient: { id: '1111' }, timestamp: 1, message: { text: 'no mid' } },
						{ recipient: { id: '1111' }, message: { mid: 'm_x' } },
						'garbage',
					],
				},
			],
		};
		expect(normalize(payload)).toEqual({ messages: [], ignored: 4 });
	});
});

describe('Instagram', () => {
	it('turns a DM into a dm item', () => {
		const [message] = normalize(instagramMessage({ accountId: '1784', senderId: '5551', mid: 'aWdf', at: AT })).messages;
		expect(message).toEqual({
			provider: 'instagram',
			kind: 'dm',
			messageId: 'aWdf',
			accountExternalId: '1784',
			conversationId: 'instagram:1784:5551',
			contact: { externalId: '5551' },
			text: 'Salut ! Vous livrez à Lyon ?',
			timestamp: AT.toISOString(),
		});
	});

	it('turns a comment into a comment item with the commenter handle, timestamp from entry.time in seconds', () => {
		const payload = instagramComment({
			accountId: '1784',
			commentId: '17865799348089039',
			fromId: '9001',
			fromUsername: 'lea.martin',
			text: 'Prix ? 😍',
			at: AT,
		});
		expect(normalize(payload).messages).toEqual([
			{
				provider: 'instagram',
				kind: 'comment',
				messageId: '17865799348089039',
				accountExternalId: '1784',
				conversationId: 'instagram:1784:9001',
				contact: { externalId: '9001', handle: 'lea.martin' },
				text: 'Prix ? 😍',
				timestamp: AT.toISOString(),
			},
		]);
	});

	it("marks the account's own comment as an echo", () => {
		const [message] = normalize(instagramComment({ accountId: '1784', fromId: '1784' })).messages;
		expect(message.isEcho).toBe(true);
	});

	it('ignores other change fields', () => {
		const payload = { object: 'instagram', entry: [{ id: '1784', time: 1, changes: [{ field: 'mentions', value: {} }] }] };
		expect(normalize(payload)).toEqual({ messages: [], ignored: 1 });
	});
});

describe('WhatsApp Cloud API', () => {
	it('turns a text message into a dm with the profile name and phone', () => {
		const payload = whatsappText({ phoneNumberId: '106540352242922', from: '33612345678', wamid: 'wamid.X', at: AT });
		expect(normalize(payload).messages).toEqual([
			{
				provider: 'whatsapp',
				kind: 'dm',
				messageId: 'wamid.X',
				accountExternalId: '106540352242922',
				conversationId: 'whatsapp:106540352242922:33612345678',
				contact: { externalId: '33612345678', name: 'Chloé Durand', phone: '+33612345678' },
				text: 'Bonjour, je voudrais un devis 🙏',
				timestamp: AT.toISOString(),
			},
		]);
	});

	it('turns each status into its own status item, keyed by wamid and state', () => {
		const delivered = whatsappStatus({ phoneNumberId: '1065', recipientId: '33611111111', wamid: 'wamid.S', status: 'delivered', at: AT });
		const read = whatsappStatus({ phoneNumberId: '1065', recipientId: '33611111111', wamid: 'wamid.S', status: 'read', at: AT });
		const { messages } = normalize(batch(delivered, read));
		expect(messages.map((m) => [m.kind, m.messageId, m.text, m.contact.externalId])).toEqual([
			['status', 'wamid.S:delivered', 'delivered', '33611111111'],
			['status', 'wamid.S:read', 'read', '33611111111'],
		]);
	});

	it('fans out several entries, changes, messages and statuses of one delivery, in order', () => {
		const first = whatsappText({ phoneNumberId: 'P1', from: '331', wamid: 'wamid.1' });
		const second = whatsappText({ phoneNumberId: 'P2', from: '332', wamid: 'wamid.2', profileName: 'Ana' });
		// A second message and a status in the same change value, and a second change in the same entry.
		const value = (first.entry[0].changes as { value: Record<string, unknown[]> }[])[0].value;
		value.contacts.push({ profile: { name: 'Bob' }, wa_id: '333' });
		value.messages.push({ from: '333', id: 'wamid.3', timestamp: '1773480413', type: 'image', image: { id: 'media1', caption: 'Ma cuisine' } });
		value.statuses = [{ id: 'wamid.out', status: 'sent', timestamp: '1773480413', recipient_id: '331' }];
		(first.entry[0].changes as unknown[]).push(...(second.entry[0].changes as unknown[]));

		const { messages, ignored } = normalize(batch(first, whatsappStatus({ phoneNumberId: 'P3', wamid: 'wamid.4' })));
		expect(ignored).toBe(0);
		expect(messages.map((m) => [m.accountExternalId, m.kind, m.messageId, m.contact.name ?? null])).toEqual([
			['P1', 'dm', 'wamid.1', 'Chloé Durand'],
			['P1', 'dm', 'wamid.3', 'Bob'],
			['P1', 'status', 'wamid.out:sent', null],
			['P2', 'dm', 'wamid.2', 'Ana'],
			['P3', 'status', 'wamid.4:delivered', null],
		]);
		expect(messages[1]).toMatchObject({ text: 'Ma cuisine', attachments: [{ type: 'image' }], timestamp: '2026-03-14T09:26:53.000Z' });
	});

	it('classifies button and interactive replies as postbacks and skips reactions', () => {
		const payload = whatsappText({ phoneNumberId: 'P', from: '331' });
		const value = (payload.entry[0].changes as { value: { messages: unknown[] } }[])[0].value;
		value.messages = [
			{ from: '331', id: 'w1', timestamp: '1', type: 'button', button: { text: 'Oui', payload: 'YES' } },
			{ from: '331', id: 'w2', timestamp: '1', type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'r1', title: 'Rendez-vous' } } },
			{ from: '331', id: 'w3', timestamp: '1', type: 'reaction', reaction: { message_id: 'w0', emoji: '👍' } },
		];
		const { messages, ignored } = normalize(payload);
		expect(messages.map((m) => [m.kind, m.text])).toEqual([
			['postback', 'Oui'],
			['postback', 'Rendez-vous'],
		]);
		expect(ignored).toBe(1);
	});

	it('ignores a change without phone_number_id', () => {
		const payload = { object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: { messages: [] } }] }] };
		expect(normalize(payload)).toEqual({ messages: [], ignored: 1 });
	});
});

describe('unknown deliveries', () => {
	it('yields nothing for other objects or non-objects', () => {
		expect(normalize({ object: 'user', entry: [{ id: '1' }] })).toEqual({ messages: [], ignored: 1 });
		expect(normalizeMetaDelivery(null)).toEqual({ messages: [], ignored: 0 });
		expect(normalizeMetaDelivery([1, 2])).toEqual({ messages: [], ignored: 0 });
		expect(normalizeMetaDelivery({ object: 'page', entry: 'x' })).toEqual({ messages: [], ignored: 0 });
	});

	it('falls back to the reception time when Meta gives no timestamp', () => {
		const payload = { object: 'page', entry: [{ id: '1', messaging: [{ sender: { id: '2' }, recipient: { id: '1' }, message: { mid: 'm' } }] }] };
		expect(normalize(payload).messages[0].timestamp).toBe(RECEIVED_AT.toISOString());
	});
});

describe('epochToIso', () => {
	it('reads seconds and milliseconds, numbers and strings', () => {
		expect(epochToIso(1773480413)).toBe('2026-03-14T09:26:53.000Z');
		expect(epochToIso('1773480413')).toBe('2026-03-14T09:26:53.000Z');
		expect(epochToIso(1773480413123)).toBe('2026-03-14T09:26:53.123Z');
		expect(epochToIso('soon')).toBeUndefined();
		expect(epochToIso(0)).toBeUndefined();
	});
});

describe('filterEvents', () => {
	const item = (kind: InboundMessage['kind'], isEcho = false) =>
		({ kind, isEcho, messageId: `${kind}${isEcho}` }) as InboundMessage;
	const all = [item('dm'), item('dm', true), item('comment'), item('postback'), item('read'), item('status')];

	it('emits everything with the default selection', () => {
		expect(filterEvents(all, EMITTABLE_EVENTS)).toEqual(all);
	});

	it('keeps echoes out when only DMs are selected', () => {
		expect(filterEvents(all, ['dm']).map((m) => m.messageId)).toEqual(['dmfalse']);
		expect(filterEvents(all, ['echo', 'status']).map((m) => m.messageId)).toEqual(['dmtrue', 'statusfalse']);
		expect(filterEvents(all, [])).toEqual([]);
	});
});
