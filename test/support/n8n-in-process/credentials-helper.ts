/**
 * Serves test credentials by type and authenticates requests the way n8n's own CredentialsHelper does: a credential
 * type's `authenticate` function is called, a declarative `{type: 'generic', properties}` is applied with its
 * `={{$credentials.…}}` expressions resolved by the workflow's expression engine. So
 * `httpRequestWithAuthentication` sends the real header (X-API-Key, Bearer…) to the fakes, which check it.
 * Stored-credential concerns (encryption, OAuth token refresh, pre-authentication) do not exist here.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentials,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeParameters,
	INodeProperties,
	IRequestOptionsSimplified,
	IWorkflowExecuteAdditionalData,
	Workflow,
} from 'n8n-workflow';
import { ICredentialsHelper, isExpression, NodeHelpers } from 'n8n-workflow';

import type { CredentialTypes } from './node-types';

/** Test credentials keyed by credential type name, e.g. `{ openAiApi: { apiKey, url } }`. */
export type TestCredentials = Record<string, ICredentialDataDecryptedObject>;

export class InProcessCredentialsHelper extends ICredentialsHelper {
	private readonly credentialTypes: CredentialTypes;

	private readonly credentials: TestCredentials;

	constructor(credentialTypes: CredentialTypes, credentials: TestCredentials) {
		super();
		this.credentialTypes = credentialTypes;
		this.credentials = credentials;
	}

	getParentTypes(name: string): string[] {
		return this.credentialTypes.getParentTypes(name);
	}

	isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
		if (!this.credentialTypes.recognizes(credentialType)) return true;
		const type = this.credentialTypes.getByName(credentialType);
		return !type.restrictToSupportedNodes || this.credentialTypes.getSupportedNodes(credentialType).includes(nodeType);
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		incoming: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const requestOptions = incoming as IHttpRequestOptions;
		const { authenticate } = this.credentialTypes.getByName(typeName);
		if (authenticate === undefined) return requestOptions;
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		if (!workflow || !node) throw new Error(`Declarative authentication of "${typeName}" needs the workflow and node`);
		const resolve = (value: string): string => {
			if (!isExpression(value)) return value;
			const resolved = workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials }, undefined, '');
			return resolved ? String(resolved) : '';
		};
		const target = requestOptions as unknown as Record<string, Record<string, string> | undefined>;
		for (const [section, entries] of Object.entries(authenticate.properties)) {
			const resolvedSection = (target[section] ??= {});
			for (const [key, value] of Object.entries(entries as Record<string, string>)) {
				resolvedSection[resolve(key)] = resolve(value);
			}
		}
		return requestOptions;
	}

	/** No credential type SkyBot tests use expires, so there is never a token to fetch first. */
	async preAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async getCredentials(_nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		throw new Error(`getCredentials("${type}"): the in-process harness has no credential store, only decrypted test credentials`);
	}

	/** The test credentials of `type` with the type's defaults filled in, as n8n returns stored credentials. */
	async getDecrypted(_additionalData: IWorkflowExecuteAdditionalData, _nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentialDataDecryptedObject> {
		const given = this.credentials[type];
		if (!given) throw new Error(`No test credentials of type "${type}" were given to runWorkflow()`);
		const withDefaults = NodeHelpers.getNodeParameters(this.getCredentialsProperties(type), given as INodeParameters, true, false, null, null);
		return { ...given, ...(withDefaults as ICredentialDataDecryptedObject) };
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties(type: string): INodeProperties[] {
		const own = this.credentialTypes.getByName(type).properties;
		return [...this.getParentTypes(type).flatMap((parent) => this.credentialTypes.getByName(parent).properties), ...own];
	}
}
