import { buildOpenApiDocument, type OpenApiRegistrar } from './http/openapi';
import { registerAccountsOpenApi } from './modules/accounts/accounts.openapi';
import { registerAiLimitsOpenApi } from './modules/ai-limits/ai-limits.openapi';
import { registerAgentsOpenApi } from './modules/agents/agents.openapi';
import { registerAnalyticsOpenApi } from './modules/analytics/analytics.openapi';
import { registerApiKeysOpenApi } from './modules/api-keys/api-keys.openapi';
import { registerAuthOpenApi } from './modules/auth/auth.openapi';
import { registerBillingOpenApi } from './modules/billing/billing.openapi';
import { registerConversationsOpenApi } from './modules/conversations/conversations.openapi';
import { registerExecutionsOpenApi } from './modules/executions/executions.openapi';
import { registerHealthOpenApi } from './modules/health/health.openapi';
import { registerInteractionsOpenApi } from './modules/interactions/interactions.openapi';
import { registerLeadsOpenApi } from './modules/leads/leads.openapi';
import { registerOutcomesOpenApi } from './modules/outcomes/outcomes.openapi';
import { registerPipelineOpenApi } from './modules/pipeline/pipeline.openapi';
import { registerProviderAccountsOpenApi } from './modules/provider-accounts/provider-accounts.openapi';
import { registerQuotasOpenApi } from './modules/quotas/quotas.openapi';
import { registerRoutingOpenApi } from './modules/routing/routing.openapi';
import { registerScenariosOpenApi } from './modules/scenarios/scenarios.openapi';
import { registerSocialAccountsOpenApi } from './modules/social-accounts/social-accounts.openapi';
import { registerUsersOpenApi } from './modules/users/users.openapi';
import { registerTemplatesOpenApi } from './modules/templates/templates.openapi';

/**
 * Every module's OpenAPI registration, in the order the document lists them. A module adding routes exports
 * `register<Module>OpenApi` from modules/<module>/<module>.openapi.ts and appends it here (see http/openapi.ts).
 */
export const OPENAPI_REGISTRARS: OpenApiRegistrar[] = [
	registerHealthOpenApi,
	registerAuthOpenApi,
	registerAccountsOpenApi,
	registerApiKeysOpenApi,
	registerUsersOpenApi,
	registerTemplatesOpenApi,
	registerAgentsOpenApi,
	registerScenariosOpenApi,
	registerProviderAccountsOpenApi,
	registerSocialAccountsOpenApi,
	registerRoutingOpenApi,
	registerQuotasOpenApi,
	registerAiLimitsOpenApi,
	registerInteractionsOpenApi,
	registerLeadsOpenApi,
	registerConversationsOpenApi,
	registerAnalyticsOpenApi,
	registerExecutionsOpenApi,
	registerOutcomesOpenApi,
	registerPipelineOpenApi,
	registerBillingOpenApi,
];

/** Built once per process: the document depends only on the code. */
let document: ReturnType<typeof buildOpenApiDocument> | undefined;
export function hubOpenApiDocument() {
	document ??= buildOpenApiDocument(OPENAPI_REGISTRARS);
	return document;
}
