/**
 * Field Mapper's "Keep Unmapped Fields" keeps the fields no pair reads — and only those. It used to keep every source
 * field, so a flat address mapped into Jobber's nested `billingAddress` came out twice (flat and nested), which the
 * address-mapping template showed.
 */
import { FieldMapper } from '../../nodes/FieldMapper/FieldMapper.node';
import { runWorkflow, TestNodeTypes } from '../engine/harness';

const types = new TestNodeTypes({ 'n8n-nodes-fluxcascade.fieldMapper': new FieldMapper() });
const mapper = (flow: 'forward' | 'reverse', keepUnmapped: boolean) => ({
	name: 'Mapper',
	type: 'n8n-nodes-fluxcascade.fieldMapper',
	parameters: { operation: 'map', mappingSource: 'preset', preset: 'address_flat_to_nested', flow, options: { keepUnmapped } },
});

test('flat → nested: the flat address fields are read, so they are gone; the others stay next to the nested address', async () => {
	const res = await runWorkflow(types, {
		items: [{ name: 'Ann', notes: 'gate code 12', address: ' 12 Main St ', city: 'Springfield', state: 'IL', zip: '62701', country: 'United States' }],
		nodes: [mapper('forward', true)],
	});
	expect(res.output('Mapper', 0).map((i) => i.json)).toEqual([
		{ name: 'Ann', notes: 'gate code 12', billingAddress: { street1: '12 Main St', city: 'Springfield', province: 'IL', postalCode: '62701', country: 'US' } },
	]);
});

test('nested → flat: an unread part of the nested object stays, emptied objects go; envelopes keep their identity', async () => {
	const res = await runWorkflow(types, {
		items: [
			{ system: 'jobber', object: 'clients', id: 'J1', fields: { firstName: 'Bob', billingAddress: { street1: '40 King St W', street2: 'Unit 4', city: 'Toronto', province: 'ON', postalCode: 'm5h 3y2', country: 'Canada' } } },
			{ system: 'jobber', object: 'clients', id: 'J2', fields: { firstName: 'Cy', billingAddress: { city: 'Ottawa' } } },
		],
		nodes: [mapper('reverse', true)],
	});
	expect(res.output('Mapper', 0).map((i) => i.json)).toEqual([
		{ system: 'jobber', object: 'clients', id: 'J1', fields: { firstName: 'Bob', billingAddress: { street2: 'Unit 4' }, address: '40 King St W', city: 'Toronto', state: 'ON', zip: 'M5H 3Y2', country: 'CA' } },
		{ system: 'jobber', object: 'clients', id: 'J2', fields: { firstName: 'Cy', city: 'Ottawa' } },
	]);
});

test('without the option only the mapped fields come out (unchanged behaviour)', async () => {
	const res = await runWorkflow(types, { items: [{ name: 'Ann', city: 'Springfield' }], nodes: [mapper('forward', false)] });
	expect(res.output('Mapper', 0).map((i) => i.json)).toEqual([{ billingAddress: { city: 'Springfield' } }]);
});
