import { FieldMapper } from '../../nodes/FieldMapper/FieldMapper.node';
import { runWorkflow, TestNodeTypes } from '../engine/harness';

const types = new TestNodeTypes({ 'n8n-nodes-fluxcascade.fieldMapper': new FieldMapper() });
const mapper = (parameters: Record<string, any>, extra: object = {}) => ({ name: 'Mapper', type: 'n8n-nodes-fluxcascade.fieldMapper', parameters, ...extra });

const hubspotEnvelope = (id: string, fields: object) => ({ system: 'hubspot', object: 'contacts', id, updatedAt: '2025-01-27T19:53:15.581Z', fields });

describe('Field Mapper node in the n8n engine', () => {
	test('preset: envelopes are mapped, dirty records land on Invalid with all field errors, pairing of items kept', async () => {
		const res = await runWorkflow(types, {
			items: [
				hubspotEnvelope('501', { firstname: 'Ann', lastname: 'Lee', email: 'ann@example.com', phone: '217-555-0143', city: 'Springfield', state: 'IL', zip: '62704', country: 'USA' }),
				hubspotEnvelope('502', { firstname: 'Bob', email: 'not-an-email', phone: '(555) ABC-1234' }),
			],
			nodes: [mapper({ operation: 'map', mappingSource: 'preset', preset: 'hubspot_contact_to_jobber_client', flow: 'forward' })],
		});
		const [valid] = res.output('Mapper', 0);
		expect(valid.pairedItem).toEqual({ item: 0 });
		expect(valid.json).toEqual({
			system: 'hubspot',
			object: 'contacts',
			id: '501',
			updatedAt: '2025-01-27T19:53:15.581Z',
			fields: {
				firstName: 'Ann',
				lastName: 'Lee',
				emails: [{ address: 'ann@example.com' }],
				phones: [{ number: '+12175550143' }],
				billingAddress: { city: 'Springfield', province: 'IL', postalCode: '62704', country: 'US' },
			},
		});
		const [bad] = res.output('Mapper', 1);
		expect(bad.pairedItem).toEqual({ item: 1 });
		expect(bad.json).toMatchObject({ failed: true, stage: 'mapping', node: 'Mapper', errorCount: 2, mapping: 'HubSpot Contact → Jobber Client' });
		expect((bad.json.errors as any[]).map((e) => e.code)).toEqual(['INVALID_EMAIL', 'INVALID_FORMAT']);
		expect((bad.json.record as any).id).toBe('502');
	});

	test('field pairs from the form: many-to-one, one-to-many, defaults and required', async () => {
		const res = await runWorkflow(types, {
			items: [{ first: 'Ann', last: 'Lee', full: 'Mary Jane Watson', zip: '' }, { first: 'X' }],
			nodes: [
				mapper({
					operation: 'map',
					mappingSource: 'pairs',
					mappingDirection: 'source_to_target',
					pairs: {
						pair: [
							{ source: 'first + last', target: 'name', transform: 'concatenate' },
							{ source: 'full', target: 'firstName=given, lastName=family', transform: 'split_name' },
							{ source: 'zip', target: 'postal', defaultType: 'empty' },
							{ target: 'source', defaultType: 'text', defaultValue: 'n8n' },
							{ source: 'last', target: 'surname', required: true },
						],
					},
					flow: 'forward',
				}),
			],
		});
		expect(res.output('Mapper', 0).map((i) => i.json)).toEqual([
			{ name: 'Ann Lee', given: 'Mary', family: 'Watson', postal: '', source: 'n8n', surname: 'Lee' },
		]);
		const [bad] = res.output('Mapper', 1);
		expect((bad.json.errors as any[]).map((e) => e.code)).toEqual(['REQUIRED_FIELD_MISSING']);
	});

	test('a configuration mistake fails the node at once and names the pair', async () => {
		const res = await runWorkflow(types, {
			items: [{ a: 1 }],
			nodes: [
				mapper({
					operation: 'map',
					mappingSource: 'json',
					mappingJson: JSON.stringify({ pairs: [{ source: 'a', target: 'x' }, { source: 'b', target: 'x', transform: 'trim' }] }),
					flow: 'forward',
				}),
			],
		});
		expect(res.error()?.message).toMatch(/Field pair #2 \(b → x\): target "x" is already written by pair #1/);
	});

	test('reverse flow of a bidirectional preset', async () => {
		const res = await runWorkflow(types, {
			items: [{ firstname: 'Zoë', lastname: 'Núñez', email: 'ZOE@EXAMPLE.COM', phone: '+1 416 555 0100' }],
			nodes: [mapper({ operation: 'map', mappingSource: 'preset', preset: 'salesforce_contact_hubspot_contact', flow: 'reverse' })],
		});
		expect(res.output('Mapper', 0)[0].json).toEqual({ FirstName: 'Zoë', LastName: 'Núñez', Email: 'zoe@example.com', Phone: '+14165550100' });
	});

	test('suggest: proposes a mapping from the first item and the listed target fields', async () => {
		const res = await runWorkflow(types, {
			items: [hubspotEnvelope('1', { firstname: 'A', lastname: 'B', email: 'a@b.co', phone: '1', favourite_colour: 'red' })],
			nodes: [mapper({ operation: 'suggest', sourceFields: '', targetFields: 'firstName, lastName, emails[0].address, phones[0].number' })],
		});
		const out = res.output('Mapper', 0)[0].json as any;
		expect(out.mapping.pairs).toEqual([
			{ source: 'firstname', target: 'firstName', transform: 'trim' },
			{ source: 'lastname', target: 'lastName', transform: 'trim' },
			{ source: 'email', target: 'emails[0].address', transform: 'email_validate' },
			{ source: 'phone', target: 'phones[0].number', transform: 'phone_e164' },
		]);
		expect(out.unmatchedSources).toEqual(['favourite_colour']);
	});
});
