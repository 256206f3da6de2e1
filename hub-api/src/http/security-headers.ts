import helmet from 'helmet';

/**
 * Security headers for the JSON API, as the OWASP REST Security Cheat Sheet lists them for API responses: a CSP that
 * allows nothing and no framing, HSTS, nosniff, X-Frame-Options and Cross-Origin-Resource-Policy. Helmet's other
 * defaults only mean something for HTML documents (opener and agent-cluster isolation, referrer, DNS prefetch, the
 * IE download and XSS-auditor switches, Flash policies); each costs a header on every response, and the quota
 * consume answers once per DM. (X-Powered-By is switched off in the app's settings instead.)
 */
export const apiSecurityHeaders = helmet({
	contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
	crossOriginOpenerPolicy: false,
	originAgentCluster: false,
	referrerPolicy: false,
	xDnsPrefetchControl: false,
	xDownloadOptions: false,
	xPermittedCrossDomainPolicies: false,
	xXssProtection: false,
	xPoweredBy: false,
});

/** Helmet's full defaults, for the one HTML page the hub serves (Swagger UI at /api/docs). */
export const documentSecurityHeaders = helmet();
