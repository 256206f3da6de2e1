import type { InboundMessage } from '../../../contracts/inbound-message';
import {
	EMITTABLE_EVENTS,
	epochToIso,
	eventOf,
	filterEvents,
	normalizeMetaDelivery,
} from '../../../nodes/SkyBotMetaTrigger/normalize';
import {
	batch,
	facebookComment,
	instagramComment,
	instagramMessage,
	instagramPostback,
	instagramStoryMention,
	instagramStoryReply,
	messengerMessage,
	messengerPostback,
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
			mediaId: '17900000000000001',
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
				comment: { postId: '17900000000000001' },
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

describe('postbacks (messaging_postbacks)', () => {
	it('carries the payload and title of a Messenger button tap, keyed by its mid', () => {
		const payload = messengerPostback({ accountId: '1111', senderId: '2222', mid: 'm_pb1', payload: 'PRICES', title: 'Voir les tarifs', at: AT });
		expect(normalize(payload)).toEqual({
			ignored: 0,
			messages: [
				{
					provider: 'messenger',
					kind: 'postback',
					messageId: 'm_pb1',
					accountExternalId: '1111',
					conversationId: 'messenger:1111:2222',
					contact: { externalId: '2222' },
					text: 'Voir les tarifs',
					postback: { payload: 'PRICES', title: 'Voir les tarifs' },
					timestamp: AT.toISOString(),
				},
			],
		});
	});

	it('does the same for an Instagram icebreaker, in the same conversation as the DMs', () => {
		const [tap] = normalize(instagramPostback({ accountId: '1784', senderId: '5551', mid: 'aWdpb', payload: 'ICEBREAKER_HOURS', title: 'Vos horaires ?' })).messages;
		const [dm] = normalize(instagramMessage({ accountId: '1784', senderId: '5551' })).messages;
		expect(tap).toMatchObject({
			provider: 'instagram',
			kind: 'postback',
			messageId: 'aWdpb',
			postback: { payload: 'ICEBREAKER_HOURS', title: 'Vos horaires ?' },
		});
		expect(tap.conversationId).toBe(dm.conversationId);
	});

	it('derives a stable id from the sender and Meta timestamp when there is no mid', () => {
		const payload = messengerPostback({ accountId: '1111', senderId: '2222', mid: null, at: AT });
		const first = normalizeMetaDelivery(JSON.parse(serializeLikeMeta(payload)), RECEIVED_AT);
		const redelivered = normalizeMetaDelivery(JSON.parse(serializeLikeMeta(payload)), new Date('2026-03-14T10:00:00.000Z'));
		expect(first.messages[0].messageId).toBe(`postback:2222:${AT.getTime()}`);
		expect(redelivered.messages[0].messageId).toBe(first.messages[0].messageId);
		const later = messengerPostback({ accountId: '1111', senderId: '2222', mid: null, at: new Date(AT.getTime() + 1) });
		expect(normalize(later).messages[0].messageId).not.toBe(first.messages[0].messageId);
	});

	it('reads a timestamp in seconds sent as a string, and keeps a title-less tap with its payload as text', () => {
		const payload = messengerPostback({ accountId: '1111', senderId: '2222', payload: 'GET_STARTED' });
		const event = (payload.entry[0].messaging as Record<string, unknown>[])[0];
		event.timestamp = String(AT.getTime() / 1000);
		delete (event.postback as Record<string, unknown>).title;
		const [message] = normalize(payload).messages;
		expect(message).toMatchObject({ text: 'GET_STARTED', postback: { payload: 'GET_STARTED' }, timestamp: AT.toISOString() });
		expect(message.postback).toEqual({ payload: 'GET_STARTED' });
	});

	it('drops a tap without a payload, or without any stable id, and keeps its siblings', () => {
		const good = messengerPostback({ accountId: '1111', mid: 'm_ok' });
		const noPayload = messengerPostback({ accountId: '1111' });
		delete ((noPayload.entry[0].messaging as Record<string, unknown>[])[0].postback as Record<string, unknown>).payload;
		const noId = messengerPostback({ accountId: '1111', mid: null });
		delete (noId.entry[0].messaging as Record<string, unknown>[])[0].timestamp;
		const wrongType = messengerPostback({ accountId: '1111' });
		(wrongType.entry[0].messaging as Record<string, unknown>[])[0].postback = 'PRICES';
		const { messages, ignored } = normalize(batch(noPayload, good, noId, wrongType));
		expect(messages.map((m) => m.messageId)).toEqual(['m_ok']);
		expect(ignored).toBe(3);
	});
});

describe('Facebook Page comments (feed)', () => {
	it('turns a new comment into a comment from the commenter, keyed by the comment id', () => {
		const payload = facebookComment({
			pageId: '1111',
			postId: '1111_4444',
			commentId: '4444_5555',
			fromId: '7777',
			fromName: 'Léa Martin',
			text: 'Combien ? 😍',
			at: AT,
		});
		expect(normalize(payload)).toEqual({
			ignored: 0,
			messages: [
				{
					provider: 'messenger',
					kind: 'comment',
					messageId: '4444_5555',
					accountExternalId: '1111',
					conversationId: 'messenger:1111:7777',
					contact: { externalId: '7777', name: 'Léa Martin' },
					text: 'Combien ? 😍',
					comment: { postId: '1111_4444' },
					timestamp: AT.toISOString(),
				},
			],
		});
	});

	it('keeps the comment answered for a reply in a thread, and a photo as an attachment', () => {
		const payload = facebookComment({ postId: '1_2', parentId: '2_3', photo: 'https://scontent.example/p.jpg' });
		const [message] = normalize(payload).messages;
		expect(message.comment).toEqual({ postId: '1_2', parentId: '2_3' });
		expect(message.attachments).toEqual([{ type: 'image', url: 'https://scontent.example/p.jpg' }]);
	});

	it("marks the page's own comment as an echo, so only customers' comments are emitted as comments", () => {
		const own = facebookComment({ pageId: '1111', fromId: '1111', fromName: 'Ma Boutique' });
		const customer = facebookComment({ pageId: '1111', fromId: '7777' });
		const { messages } = normalize(batch(own, customer));
		expect(messages.map((m) => [m.contact.externalId, m.isEcho === true])).toEqual([
			['1111', true],
			['7777', false],
		]);
		expect(filterEvents(messages, ['comment']).map((m) => m.contact.externalId)).toEqual(['7777']);
	});

	it('ignores edits, removals, hides and the other feed items, and keeps the new comment among them', () => {
		const reaction = { object: 'page' as const, entry: [{ id: '1111', time: 1, changes: [{ field: 'feed', value: { item: 'reaction', verb: 'add', post_id: '1111_2', reaction_type: 'love', from: { id: '9' } } }] }] };
		const post = { object: 'page' as const, entry: [{ id: '1111', time: 1, changes: [{ field: 'feed', value: { item: 'status', verb: 'add', post_id: '1111_3', message: 'Nouveau !', from: { id: '1111' } } }] }] };
		const { messages, ignored } = normalize(
			batch(
				facebookComment({ pageId: '1111', verb: 'edited' }),
				facebookComment({ pageId: '1111', verb: 'remove' }),
				facebookComment({ pageId: '1111', verb: 'hide' }),
				reaction,
				facebookComment({ pageId: '1111', commentId: '2_new' }),
				post,
			),
		);
		expect(messages.map((m) => m.messageId)).toEqual(['2_new']);
		expect(ignored).toBe(5);
	});

	it('drops comments without an id or a commenter, and other page change fields, without losing siblings', () => {
		const noId = facebookComment({ pageId: '1111' });
		delete ((noId.entry[0].changes as Record<string, unknown>[])[0].value as Record<string, unknown>).comment_id;
		const noFrom = facebookComment({ pageId: '1111' });
		((noFrom.entry[0].changes as Record<string, unknown>[])[0].value as Record<string, unknown>).from = 'Léa';
		const both = facebookComment({ pageId: '1111', commentId: 'kept_1' });
		(both.entry[0].changes as unknown[]).push({ field: 'ratings', value: { item: 'rating', verb: 'add' } }, 'garbage', { field: 'feed', value: [] });
		const noPage = facebookComment();
		delete noPage.entry[0].id;
		const { messages, ignored } = normalize(batch(noId, noFrom, both, noPage, messengerMessage({ mid: 'm_kept' })));
		expect(messages.map((m) => m.messageId)).toEqual(['kept_1', 'm_kept']);
		expect(ignored).toBe(6);
	});

	it('falls back to entry.time when the comment has no created_time', () => {
		const payload = facebookComment({ at: AT });
		delete ((payload.entry[0].changes as Record<string, unknown>[])[0].value as Record<string, unknown>).created_time;
		expect(normalize(payload).messages[0].timestamp).toBe(AT.toISOString());
	});
});

describe('Instagram comments and stories', () => {
	it('keeps the media and the comment answered for a reply in a thread, live comments included', () => {
		const reply = instagramComment({ accountId: '1784', mediaId: 'M1', parentId: 'C0', commentId: 'C1' });
		const live = instagramComment({ accountId: '1784', mediaId: 'M2', commentId: 'C2' });
		(live.entry[0].changes as Record<string, unknown>[])[0].field = 'live_comments';
		const { messages } = normalize(batch(reply, live));
		expect(messages.map((m) => [m.kind, m.messageId, m.comment])).toEqual([
			['comment', 'C1', { postId: 'M1', parentId: 'C0' }],
			['comment', 'C2', { postId: 'M2' }],
		]);
	});

	it("emits the business's own comment as an echo, not as a customer comment", () => {
		const { messages } = normalize(batch(instagramComment({ accountId: '1784', fromId: '1784' }), instagramComment({ accountId: '1784' })));
		expect(messages.map(eventOf)).toEqual(['echo', 'comment']);
	});

	it('drops malformed comments (no id, no commenter, wrong types) and keeps the valid ones', () => {
		const noFrom = instagramComment({ accountId: '1784' });
		delete ((noFrom.entry[0].changes as Record<string, unknown>[])[0].value as Record<string, unknown>).from;
		const objectId = instagramComment({ accountId: '1784' });
		((objectId.entry[0].changes as Record<string, unknown>[])[0].value as Record<string, unknown>).id = { id: '1' };
		const badMedia = instagramComment({ accountId: '1784', commentId: 'C_ok' });
		((badMedia.entry[0].changes as Record<string, unknown>[])[0].value as Record<string, unknown>).media = 'M1';
		const { messages, ignored } = normalize(batch(noFrom, objectId, badMedia, instagramMessage({ mid: 'aW_ok' })));
		expect(messages.map((m) => [m.messageId, m.comment ?? null])).toEqual([
			['C_ok', null],
			['aW_ok', null],
		]);
		expect(ignored).toBe(2);
	});

	it('answers a story reply as a DM that keeps the story', () => {
		const payload = instagramStoryReply({
			accountId: '1784',
			senderId: '5551',
			mid: 'aWdsr',
			text: 'Dispo en bleu ?',
			replyToStory: { id: '18000000000000001', url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1&signature=x' },
			at: AT,
		});
		expect(normalize(payload).messages).toEqual([
			{
				provider: 'instagram',
				kind: 'dm',
				messageId: 'aWdsr',
				accountExternalId: '1784',
				conversationId: 'instagram:1784:5551',
				contact: { externalId: '5551' },
				text: 'Dispo en bleu ?',
				attachments: [{ type: 'story_reply', url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1&signature=x' }],
				timestamp: AT.toISOString(),
			},
		]);
	});

	it('keeps a story reply whose story has no URL any more, and adds nothing for a reply to a plain message', () => {
		const expired = instagramStoryReply({ replyToStory: { id: '18000000000000002' } });
		const plainReply = instagramMessage({ mid: 'aWplain' });
		((plainReply.entry[0].messaging as Record<string, unknown>[])[0].message as Record<string, unknown>).reply_to = { mid: 'aWearlier' };
		const { messages } = normalize(batch(expired, plainReply));
		expect(messages[0].attachments).toEqual([{ type: 'story_reply' }]);
		expect(messages[1].attachments).toBeUndefined();
	});

	it('answers a story mention as a DM with the story_mention attachment and no text', () => {
		const url = 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=2&signature=y';
		const [message] = normalize(instagramStoryMention({ accountId: '1784', senderId: '5551', storyUrl: url })).messages;
		expect(message).toMatchObject({ kind: 'dm', conversationId: 'instagram:1784:5551', attachments: [{ type: 'story_mention', url }] });
		expect(message.text).toBeUndefined();
		expect(message.isEcho).toBeUndefined();
	});

	it('ignores an unsent message (is_deleted) instead of treating it as an empty DM', () => {
		const unsent = instagramMessage({ mid: 'aWgone', text: undefined });
		const message = (unsent.entry[0].messaging as Record<string, unknown>[])[0].message as Record<string, unknown>;
		delete message.text;
		message.is_deleted = true;
		expect(normalize(unsent)).toEqual({ messages: [], ignored: 1 });
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

	it('carries the button payload and the interactive reply id as the postback payload', () => {
		const payload = whatsappText({ phoneNumberId: 'P', from: '331' });
		const value = (payload.entry[0].changes as { value: { messages: unknown[] } }[])[0].value;
		value.messages = [
			{ from: '331', id: 'w1', timestamp: '1', type: 'button', button: { text: 'Oui', payload: 'YES' } },
			{ from: '331', id: 'w2', timestamp: '1', type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'BOOK', title: 'Réserver' } } },
			{ from: '331', id: 'w3', timestamp: '1', type: 'interactive', interactive: { type: 'list_reply', list_reply: { title: 'Sans id' } } },
		];
		expect(normalize(payload).messages.map((m) => [m.messageId, m.postback ?? null])).toEqual([
			['w1', { payload: 'YES', title: 'Oui' }],
			['w2', { payload: 'BOOK', title: 'Réserver' }],
			['w3', null],
		]);
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

	it('survives a batch of malformed entries and events, keeping every valid sibling, unknown fields ignored', () => {
		const dm = messengerMessage({ accountId: '1111', senderId: '2222', mid: 'm_valid', at: AT });
		const event = (dm.entry[0].messaging as Record<string, unknown>[])[0];
		event.unknown_field = { nested: [1, 2] };
		(event.message as Record<string, unknown>).some_future_flag = true;
		const payload = {
			object: 'page',
			unknown: 'ignored',
			entry: [
				null,
				42,
				{ id: '1111', messaging: 'not a list', changes: { field: 'feed' } },
				{ id: { nested: true }, messaging: [{ sender: { id: 2 }, recipient: 'x', message: { mid: 'm_bad' } }] },
				{ id: '1111', messaging: [{ sender: [], recipient: { id: '1111' }, timestamp: 'soon', postback: { mid: 5 } }] },
				...dm.entry,
				...facebookComment({ pageId: '1111', commentId: 'c_valid' }).entry,
			],
		};
		const { messages, ignored } = normalize(payload);
		expect(messages.map((m) => m.messageId)).toEqual(['m_valid', 'c_valid']);
		expect(messages[0]).toEqual(normalize(messengerMessage({ accountId: '1111', senderId: '2222', mid: 'm_valid', at: AT })).messages[0]);
		expect(ignored).toBe(4);
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
