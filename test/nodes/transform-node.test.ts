import { FluxTransform } from '../../nodes/FluxTransform/FluxTransform.node';
import { runWorkflow, TestNodeTypes } from '../engine/harness';

const types = new TestNodeTypes({ 'n8n-nodes-fluxcascade.fluxTransform': new FluxTransform() });

function transformNode(steps: Array<Record<string, any>>, extra: object = {}) {
	return { name: 'Transform', type: 'n8n-nodes-fluxcascade.fluxTransform', parameters: { steps: { step: steps } }, ...extra };
}

describe('Transform node in the n8n engine', () => {
	test('valid items continue on Valid, items with bad values go to Invalid with every field error', async () => {
		const res = await runWorkflow(types, {
			items: [
				{ name: 'Ann', phone: '(217) 555-0143', email: ' ANN@Example.com ' },
				{ name: 'Bob', phone: '(555) ABC-1234', email: 'bob@@example' },
				{ name: 'Cy', phone: '+44 20 7946 0958', email: 'cy@example.co.uk' },
			],
			nodes: [
				transformNode([
					{ fields: 'phone', transform: 'phone_e164', phone_e164_defaultCountry: 'US' },
					{ fields: 'email', transform: 'email_validate' },
				]),
			],
		});
		const valid = res.output('Transform', 0);
		const invalid = res.output('Transform', 1);
		expect(valid.map((i) => i.json)).toEqual([
			{ name: 'Ann', phone: '+12175550143', email: 'ann@example.com' },
			{ name: 'Cy', phone: '+442079460958', email: 'cy@example.co.uk' },
		]);
		expect(valid.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
		expect(invalid).toHaveLength(1);
		expect(invalid[0].pairedItem).toEqual({ item: 1 });
		const failed = invalid[0].json as any;
		expect(failed.record).toEqual({ name: 'Bob', phone: '(555) ABC-1234', email: 'bob@@example' });
		expect(failed.errors.map((e: any) => [e.field, e.code, e.category])).toEqual([
			['phone', 'INVALID_FORMAT', 'Data'],
			['email', 'INVALID_EMAIL', 'Data'],
		]);
		expect(failed.errors[0].message).toContain('(555) ABC-1234');
		expect(failed.summary).toBe('2 errors: phone: Invalid Format; email: Invalid Email');
	});

	test('Skip invalid drops the bad value, keeps the item valid and reports the drop', async () => {
		const res = await runWorkflow(types, {
			items: [{ phone: 'call me maybe', city: ' Austin ' }],
			nodes: [
				transformNode([
					{ fields: 'phone', transform: 'phone_e164', skipInvalid: true },
					{ fields: 'city', transform: 'trim' },
				]),
			],
		});
		const [item] = res.output('Transform', 0);
		expect(item.json.city).toBe('Austin');
		expect('phone' in item.json).toBe(false);
		expect((item.json._warnings as any[])[0]).toMatchObject({ field: 'phone', code: 'INVALID_FORMAT' });
		expect(res.output('Transform', 1)).toHaveLength(0);
	});

	test('envelope items are transformed inside their fields and keep their identity', async () => {
		const res = await runWorkflow(types, {
			items: [{ system: 'hubspot', object: 'contacts', id: '501', updatedAt: '2025-01-01T00:00:00Z', fields: { country: 'Canada' } }],
			nodes: [transformNode([{ fields: 'country', transform: 'country_code', outputField: 'countryCode' }])],
		});
		expect(res.output('Transform', 0)[0].json).toEqual({
			system: 'hubspot',
			object: 'contacts',
			id: '501',
			updatedAt: '2025-01-01T00:00:00Z',
			fields: { country: 'Canada', countryCode: 'CA' },
		});
	});

	test('a configuration mistake stops the run with an error that names the step', async () => {
		const res = await runWorkflow(types, {
			items: [{ phone: '1' }],
			nodes: [transformNode([{ fields: 'phone', transform: 'truncate', truncate_maxLength: -3 }])],
		});
		const error = res.error() as any;
		expect(error).toBeDefined();
		expect(error.message).toMatch(/Step #1 \(truncate on phone\)/);
		expect(error.message).toMatch(/maxLength/);
	});

	test('On Error "continue (using error output)" routes the configuration error to the error output', async () => {
		const res = await runWorkflow(types, {
			items: [{ phone: '1' }, { phone: '2' }],
			nodes: [transformNode([{ fields: 'phone, mobile', transform: 'trim', outputField: 'x' }], { onError: 'continueErrorOutput' })],
		});
		expect(res.error()).toBeUndefined();
		const errorOutput = res.output('Transform', 2);
		expect(errorOutput).toHaveLength(2);
		expect(String(errorOutput[0].json.error)).toMatch(/Output Field works with one field/);
		expect(res.output('Transform', 0)).toHaveLength(0);
	});

	test('On Error "continue" keeps the error as a regular item', async () => {
		const res = await runWorkflow(types, {
			items: [{ a: 1 }],
			nodes: [transformNode([{ fields: 'a', transform: 'phone_e164', phone_e164_defaultCountry: 'XX' }], { onError: 'continueRegularOutput' })],
		});
		expect(res.error()).toBeUndefined();
		expect(String(res.output('Transform', 0)[0].json.error)).toMatch(/defaultCountry/);
	});
});
