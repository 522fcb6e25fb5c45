/**
 * The package inside a real n8n 2.x, installed as users install community packages: every declared node
 * type must register, and the nodes must run in production (webhook) executions.
 */
import { declaredNodeTypes, registeredNodeTypes } from '../../scripts/n8n/runtime';
import { createActiveWorkflow, postWebhook, startN8nWithPackage, stopN8n } from './support';

jest.setTimeout(300_000);

let n8n: Awaited<ReturnType<typeof startN8nWithPackage>>;

beforeAll(async () => {
	n8n = await startN8nWithPackage('nodes');
});

afterAll(async () => {
	await stopN8n(n8n, 'nodes');
});

test('every node the package declares is registered by n8n', async () => {
	const declared = declaredNodeTypes();
	expect(declared).toEqual(expect.arrayContaining(['n8n-nodes-fluxcascade.fieldMapper', 'n8n-nodes-fluxcascade.fluxTransform']));
	const registered = await registeredNodeTypes(n8n);
	const missing = declared.filter((t) => !registered.includes(t));
	expect(missing).toEqual([]);
});

test('Transform → Field Mapper run on webhook data: valid records answered mapped, invalid ones routed to their own branch', async () => {
	const nodes = [
		{ id: 'w', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: 'a3f1c0de-0000-4000-8000-000000000001', parameters: { httpMethod: 'POST', path: 'flux-e2e-map', responseMode: 'responseNode' } },
		{ id: 's', name: 'Split Out', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [200, 0], parameters: { fieldToSplitOut: 'body.records' } },
		{ id: 't', name: 'Transform', type: 'n8n-nodes-fluxcascade.fluxTransform', typeVersion: 1, position: [400, 0], parameters: { steps: { step: [{ fields: 'fields.email', transform: 'trim' }] } } },
		{ id: 'm', name: 'Field Mapper', type: 'n8n-nodes-fluxcascade.fieldMapper', typeVersion: 1, position: [600, 0], parameters: { operation: 'map', mappingSource: 'preset', preset: 'hubspot_contact_to_jobber_client', flow: 'forward' } },
		{ id: 'ok', name: 'Answer Valid', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [800, -100], parameters: { respondWith: 'allIncomingItems', options: { responseHeaders: { entries: [{ name: 'x-branch', value: 'valid' }] } } } },
		{ id: 'bad', name: 'Answer Invalid', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [800, 100], parameters: { respondWith: 'allIncomingItems', options: { responseHeaders: { entries: [{ name: 'x-branch', value: 'invalid' }] } } } },
	];
	const connections = {
		Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
		'Split Out': { main: [[{ node: 'Transform', type: 'main', index: 0 }]] },
		Transform: { main: [[{ node: 'Field Mapper', type: 'main', index: 0 }], []] },
		'Field Mapper': { main: [[{ node: 'Answer Valid', type: 'main', index: 0 }], [{ node: 'Answer Invalid', type: 'main', index: 0 }]] },
	};
	await createActiveWorkflow(n8n, { name: 'e2e: map contacts', nodes, connections });

	const post = (records: unknown[]) => postWebhook(n8n, 'flux-e2e-map', { records });
	const envelope = (id: string, fields: object) => ({ system: 'hubspot', object: 'contacts', id, fields });

	const good = await post([envelope('1', { firstname: 'Ann', lastname: 'Lee', email: '  Ann@Example.com ', phone: '(217) 555-0143', country: 'Canada' })]);
	expect(good.status).toBe(200);
	expect(good.headers.get('x-branch')).toBe('valid');
	const [mapped] = (await good.json()) as any[];
	expect(mapped).toMatchObject({
		system: 'hubspot',
		id: '1',
		fields: { firstName: 'Ann', lastName: 'Lee', emails: [{ address: 'ann@example.com' }], phones: [{ number: '+12175550143' }], billingAddress: { country: 'CA' } },
	});

	const bad = await post([envelope('2', { firstname: 'Bob', email: 'bob@@example', phone: 'call me maybe' })]);
	expect(bad.headers.get('x-branch')).toBe('invalid');
	const [failed] = (await bad.json()) as any[];
	expect(failed).toMatchObject({ failed: true, stage: 'mapping', node: 'Field Mapper', errorCount: 2 });
	expect(failed.errors.map((e: any) => e.code)).toEqual(['INVALID_EMAIL', 'INVALID_FORMAT']);
	expect(failed.record.id).toBe('2');
});
