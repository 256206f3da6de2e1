import { buildSendTextRequest, formatGraphError, readSentMessageId } from '../../../nodes/SkyBotMeta/helpers/graph';

describe('buildSendTextRequest', () => {
	it('builds a Messenger Send API response message', () => {
		expect(buildSendTextRequest({ provider: 'messenger', accountExternalId: '1111', recipientId: '2222', text: 'Bonjour' })).toEqual({
			path: '/1111/messages',
			body: { recipient: { id: '2222' }, messaging_type: 'RESPONSE', message: { text: 'Bonjour' } },
		});
	});

	it('builds an Instagram message', () => {
		expect(buildSendTextRequest({ provider: 'instagram', accountExternalId: '1784', recipientId: '5551', text: 'Salut' })).toEqual({
			path: '/1784/messages',
			body: { recipient: { id: '5551' }, message: { text: 'Salut' } },
		});
	});

	it('builds a WhatsApp Cloud API text message', () => {
		expect(
			buildSendTextRequest({ provider: 'whatsapp', accountExternalId: '106540352242922', recipientId: '33612345678', text: 'Devis envoyé' }),
		).toEqual({
			path: '/106540352242922/messages',
			body: {
				messaging_product: 'whatsapp',
				recipient_type: 'individual',
				to: '33612345678',
				type: 'text',
				text: { body: 'Devis envoyé', preview_url: false },
			},
		});
	});

	it('answers a comment privately on Messenger / Instagram, ignores the comment id on WhatsApp', () => {
		expect(
			buildSendTextRequest({ provider: 'instagram', accountExternalId: '1784', recipientId: '5551', text: 'Hi', commentId: '1786' }),
		).toEqual({ path: '/1784/messages', body: { recipient: { comment_id: '1786' }, message: { text: 'Hi' } } });
		expect(
			buildSendTextRequest({ provider: 'whatsapp', accountExternalId: 'P', recipientId: '331', text: 'Hi', commentId: '1786' }).body,
		).toMatchObject({ to: '331' });
	});

	it('encodes the account id into the path', () => {
		expect(buildSendTextRequest({ provider: 'instagram', accountExternalId: '../me', recipientId: '1', text: 'x' }).path).toBe(
			'/..%2Fme/messages',
		);
	});
});

describe('readSentMessageId', () => {
	it('reads Messenger / Instagram and WhatsApp answers', () => {
		expect(readSentMessageId({ recipient_id: '2222', message_id: 'm_123' })).toBe('m_123');
		expect(
			readSentMessageId({ messaging_product: 'whatsapp', contacts: [{ input: '331', wa_id: '331' }], messages: [{ id: 'wamid.A' }] }),
		).toBe('wamid.A');
		expect(readSentMessageId({ messages: [] })).toBeUndefined();
		expect(readSentMessageId('ok')).toBeUndefined();
	});
});

describe('formatGraphError', () => {
	it('names the Graph code and keeps type, subcode and trace id in the description', () => {
		expect(
			formatGraphError(
				{
					error: {
						message: '(#10) This message is sent outside of allowed window.',
						type: 'OAuthException',
						code: 10,
						error_subcode: 2018278,
						fbtrace_id: 'AbCdEf',
					},
				},
				400,
			),
		).toEqual({
			message: 'Meta Graph API error 10: (#10) This message is sent outside of allowed window.',
			description: 'type OAuthException, subcode 2018278, fbtrace_id AbCdEf',
			code: '10',
		});
	});

	it('adds the user-facing message when Meta gives one', () => {
		const details = formatGraphError(
			{ error: { message: 'Invalid parameter', code: 100, error_user_msg: 'The recipient is not available.' } },
			400,
		);
		expect(details.message).toBe('Meta Graph API error 100: Invalid parameter');
		expect(details.description).toBe('The recipient is not available.');
	});

	it('falls back to the HTTP status for bodies that are not Graph errors', () => {
		expect(formatGraphError('<html>Bad gateway</html>', 502)).toEqual({ message: 'Meta Graph API error: HTTP 502' });
		expect(formatGraphError({ error: { type: 'OAuthException' } }, 401)).toEqual({
			message: 'Meta Graph API error: HTTP 401',
			description: 'type OAuthException',
		});
	});
});
