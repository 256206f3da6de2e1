/**
 * Fake Stripe API (the subset the hub calls through the official `stripe` SDK): POST /v1/customers,
 * POST /v1/checkout/sessions and POST /v1/billing_portal/sessions. Requests are checked the way Stripe checks them —
 * Bearer secret key, form-encoded body (the SDK's bracket notation), required parameters, known customers and
 * prices, `Idempotency-Key` replays the first answer — and refused with Stripe's error body
 * `{error: {type, code, message, param}}`, so a malformed call from our code fails here.
 *
 * Point the hub at it with STRIPE_API_URL=<fake.url>. Also builds signed webhook deliveries with the SDK's own
 * `webhooks.generateTestHeaderString`, so tests sign exactly as Stripe does.
 */
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import {
	bearerToken,
	FailureQueue,
	FakeHttpError,
	type FakeReply,
	type FakeServer,
	mediaType,
	type RecordedRequest,
	startFakeServer,
} from './http-fake';

export const FAKE_STRIPE_SECRET_KEY = 'sk_test_skybot_fake';
export const FAKE_STRIPE_WEBHOOK_SECRET = 'whsec_skybot_fake_webhook_secret';
export const FAKE_STRIPE_PRICES = {
	premiumMonthly: 'price_premium_monthly_fake',
	ultraMonthly: 'price_ultra_monthly_fake',
	ultraYearly: 'price_ultra_yearly_fake',
};

/**
 * The hub's billing settings for a hub talking to a fake at `apiUrl` (the same shape as HubConfig's billing, which
 * this test-side module does not import): the fake's keys and prices, a 7-day grace period.
 */
export function fakeStripeBillingConfig(apiUrl: string) {
	return {
		secretKey: FAKE_STRIPE_SECRET_KEY,
		webhookSecret: FAKE_STRIPE_WEBHOOK_SECRET,
		apiUrl: new URL(apiUrl),
		prices: FAKE_STRIPE_PRICES,
		graceDays: 7,
	};
}

type FormValue = string | FormObject | FormValue[];
interface FormObject {
	[key: string]: FormValue;
}

export interface FakeCustomer {
	id: string;
	name?: string;
	metadata: Record<string, string>;
}

export interface FakeStripe extends FakeServer {
	secretKey: string;
	customers: Map<string, FakeCustomer>;
	/** Checkout Sessions created, with the parameters the SDK sent. */
	checkoutSessions: { id: string; params: FormObject }[];
	portalSessions: { id: string; params: FormObject }[];
	/** The next n API calls answer with this Stripe error. */
	failNext(count: number, failure: { status: number; type: string; message: string }): void;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

const stripeError = (status: number, type: string, message: string, param?: string, code?: string) =>
	new FakeHttpError(status, { error: { type, message, ...(param && { param }), ...(code && { code }) } });

const missing = (param: string) =>
	stripeError(400, 'invalid_request_error', `Missing required param: ${param}.`, param, 'parameter_missing');

/** `line_items[0][price]=x&metadata[a]=b` → `{line_items: [{price: 'x'}], metadata: {a: 'b'}}`, as Stripe reads it. */
export function parseStripeForm(raw: string): FormObject {
	const root: FormObject = {};
	for (const [key, value] of new URLSearchParams(raw)) {
		const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
		if (!match) throw stripeError(400, 'invalid_request_error', `Invalid parameter name: ${key}`, key);
		const path = [match[1]!, ...[...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((part) => part[1]!)];
		let node: FormObject | FormValue[] = root;
		for (const [index, segment] of path.entries()) {
			const last = index === path.length - 1;
			const slot = segment as unknown as number & string;
			if (last) {
				(node as Record<string, FormValue>)[slot] = value;
			} else {
				const nextIsIndex = /^\d+$/.test(path[index + 1]!);
				(node as Record<string, FormValue>)[slot] ??= nextIsIndex ? [] : {};
				node = (node as Record<string, FormObject | FormValue[]>)[slot]!;
			}
		}
	}
	return root;
}

const text = (form: FormObject, name: string): string | undefined => {
	const value = form[name];
	return typeof value === 'string' && value !== '' ? value : undefined;
};

const requireText = (form: FormObject, name: string): string => {
	const value = text(form, name);
	if (!value) throw missing(name);
	return value;
};

const requireUrl = (form: FormObject, name: string): string => {
	const value = requireText(form, name);
	if (!/^https?:\/\/\S+$/.test(value)) {
		throw stripeError(400, 'invalid_request_error', `Not a valid URL: ${name}`, name, 'url_invalid');
	}
	return value;
};

export async function startFakeStripe(options: { secretKey?: string; prices?: string[] } = {}): Promise<FakeStripe> {
	const secretKey = options.secretKey ?? FAKE_STRIPE_SECRET_KEY;
	const prices = new Set(options.prices ?? Object.values(FAKE_STRIPE_PRICES));
	const customers = new Map<string, FakeCustomer>();
	const checkoutSessions: FakeStripe['checkoutSessions'] = [];
	const portalSessions: FakeStripe['portalSessions'] = [];
	const failures = new FailureQueue<{ status: number; type: string; message: string }>();
	const idempotentReplies = new Map<string, FakeReply>();

	const knownCustomer = (form: FormObject): string => {
		const customer = requireText(form, 'customer');
		if (!customers.has(customer)) {
			throw stripeError(400, 'invalid_request_error', `No such customer: '${customer}'`, 'customer', 'resource_missing');
		}
		return customer;
	};

	const routes: Record<string, (form: FormObject) => unknown> = {
		'/v1/customers': (form) => {
			const customer: FakeCustomer = {
				id: id('cus'),
				name: text(form, 'name'),
				metadata: (form.metadata as Record<string, string> | undefined) ?? {},
			};
			customers.set(customer.id, customer);
			return { object: 'customer', livemode: false, ...customer };
		},
		'/v1/checkout/sessions': (form) => {
			const mode = requireText(form, 'mode');
			if (mode !== 'subscription') {
				throw stripeError(400, 'invalid_request_error', 'This fake only serves subscription mode', 'mode');
			}
			const customer = knownCustomer(form);
			const lineItems = form.line_items;
			if (!Array.isArray(lineItems) || lineItems.length === 0) throw missing('line_items');
			for (const [index, item] of lineItems.entries()) {
				const price = typeof item === 'object' && !Array.isArray(item) ? text(item, 'price') : undefined;
				if (!price) throw missing(`line_items[${index}][price]`);
				if (!prices.has(price)) {
					throw stripeError(400, 'invalid_request_error', `No such price: '${price}'`, `line_items[${index}][price]`);
				}
			}
			requireUrl(form, 'success_url');
			requireUrl(form, 'cancel_url');
			const session = { id: id('cs_test'), params: form };
			checkoutSessions.push(session);
			return {
				id: session.id,
				object: 'checkout.session',
				mode,
				customer,
				client_reference_id: text(form, 'client_reference_id') ?? null,
				status: 'open',
				url: `https://checkout.stripe.com/c/pay/${session.id}`,
			};
		},
		'/v1/billing_portal/sessions': (form) => {
			const customer = knownCustomer(form);
			const returnUrl = requireUrl(form, 'return_url');
			const session = { id: id('bps'), params: form };
			portalSessions.push(session);
			return {
				id: session.id,
				object: 'billing_portal.session',
				customer,
				return_url: returnUrl,
				url: `https://billing.stripe.com/p/session/${session.id}`,
			};
		},
	};

	const handle = (request: RecordedRequest): FakeReply => {
		if (bearerToken(request) !== secretKey) {
			throw stripeError(401, 'invalid_request_error', 'Invalid API Key provided');
		}
		if (!request.headers['stripe-version']) {
			throw stripeError(400, 'invalid_request_error', 'The Stripe-Version header is required by this fake');
		}
		const route = request.method === 'POST' ? routes[request.path] : undefined;
		if (!route) throw stripeError(404, 'invalid_request_error', `Unrecognized request URL (${request.method}: ${request.path})`);
		if (mediaType(request) !== 'application/x-www-form-urlencoded') {
			throw stripeError(400, 'invalid_request_error', 'Request bodies must be application/x-www-form-urlencoded');
		}
		const failure = failures.take();
		if (failure) throw stripeError(failure.status, failure.type, failure.message);
		const idempotencyKey = request.headers['idempotency-key'];
		const replayKey = typeof idempotencyKey === 'string' ? `${request.path}:${idempotencyKey}` : undefined;
		const replay = replayKey && idempotentReplies.get(replayKey);
		if (replay) return replay;
		const reply: FakeReply = { status: 200, body: route(parseStripeForm(request.rawBody)) };
		if (replayKey) idempotentReplies.set(replayKey, reply);
		return reply;
	};

	const server = await startFakeServer(handle);
	return {
		...server,
		secretKey,
		customers,
		checkoutSessions,
		portalSessions,
		failNext: (count, failure) => failures.push(count, failure),
	};
}

const signer = new Stripe(FAKE_STRIPE_SECRET_KEY);

/** The Stripe-Signature header for `payload`, made by the SDK's own test helper. */
export function signStripePayload(
	payload: string,
	options: { secret?: string; timestamp?: number } = {},
): string {
	return signer.webhooks.generateTestHeaderString({
		payload,
		secret: options.secret ?? FAKE_STRIPE_WEBHOOK_SECRET,
		timestamp: options.timestamp,
	});
}

/** A Stripe event envelope as Stripe sends it (the fields the hub reads, plus the usual ones). */
export function stripeEvent(type: string, object: Record<string, unknown>, created: number, eventId = id('evt')) {
	return {
		id: eventId,
		object: 'event',
		api_version: Stripe.API_VERSION,
		created,
		livemode: false,
		pending_webhooks: 1,
		request: { id: null, idempotency_key: null },
		type,
		data: { object },
	};
}

export function subscriptionObject(options: {
	id?: string;
	customer: string;
	status: string;
	price: string;
	accountId?: string;
}) {
	return {
		id: options.id ?? id('sub'),
		object: 'subscription',
		customer: options.customer,
		status: options.status,
		cancel_at_period_end: false,
		metadata: options.accountId ? { accountId: options.accountId } : {},
		items: {
			object: 'list',
			data: [{ id: id('si'), object: 'subscription_item', price: { id: options.price, object: 'price' }, quantity: 1 }],
		},
	};
}
