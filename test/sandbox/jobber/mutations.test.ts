/**
 * Mutations: validation failures come back as userErrors[{message,path}] with HTTP 200 and write nothing; valid
 * input writes and bumps updatedAt. Inputs travel in variables (as a node sends them), so the documents themselves
 * validate against the 2023 dump.
 */
import { encodeId } from '../../../sandbox/jobber/ids';
import { CLIENT_FIELDS, startJobber, type Harness } from './helpers';

let h: Harness;
beforeEach(async () => {
	h = await startJobber();
});
afterEach(() => h.close());

const CREATE = `mutation Create($input: ClientCreateInput!) {
	clientCreate(input: $input) { client { ${CLIENT_FIELDS} clientProperties(first: 5) { nodes { id address { street1 city } } } customFields { __typename ... on CustomFieldText { label valueText customFieldConfiguration { id name } } } } userErrors { message path } }
}`;
const EDIT = `mutation Edit($id: EncodedId!, $input: ClientEditInput!) {
	clientEdit(clientId: $id, input: $input) { client { ${CLIENT_FIELDS} customFields { __typename ... on CustomFieldText { label valueText } } } userErrors { message path } }
}`;

async function count(object: string): Promise<number> {
	return (await h.admin('GET', `/_sandbox/records/${object}`)).body.length;
}

async function config(name: string, appliesTo: string): Promise<string> {
	const res = await h.gql('query($f: CustomFieldConfigurationsFilterInput) { customFieldConfigurations(first: 50, filter: $f) { nodes { ... on CustomFieldConfigurationText { id name } ... on CustomFieldConfigurationDropdown { id name dropdownOptions } } } }', { f: { appliesTo } });
	return res.body.data.customFieldConfigurations.nodes.find((n: any) => n.name === name).id;
}

describe('clientCreate', () => {
	it('creates a client with emails, phones, billing address, a property and a custom field', async () => {
		const externalId = await config('External ID', 'ALL_CLIENTS');
		const res = await h.gql(CREATE, {
			input: {
				title: 'MS',
				firstName: 'Ada',
				lastName: 'Lovelace',
				companyName: 'Analytical Engines',
				emails: [{ description: 'MAIN', address: 'ada@example.com', primary: true }, { description: 'WORK', address: 'ada@engines.example' }],
				phones: [{ description: 'MOBILE', number: '(303) 555-0142', primary: true, smsAllowed: true }],
				billingAddress: { street1: '1 Engine Way', city: 'Denver', province: 'CO', postalCode: '80202', country: 'United States' },
				properties: [{ address: { street1: '1 Engine Way', city: 'Denver', province: 'CO', postalCode: '80202', country: 'United States' } }],
				customFields: [{ customFieldConfigurationId: externalId, valueText: 'hs-123' }],
			},
		});
		expect(res.status).toBe(200);
		const { client, userErrors } = res.body.data.clientCreate;
		expect(userErrors).toEqual([]);
		expect(client).toMatchObject({
			firstName: 'Ada',
			name: 'Ada Lovelace',
			isLead: true,
			emails: [
				{ address: 'ada@example.com', description: 'MAIN', primary: true },
				{ address: 'ada@engines.example', description: 'WORK', primary: false },
			],
			phones: [{ number: '(303) 555-0142', description: 'MOBILE', primary: true, smsAllowed: true }],
			billingAddress: { street1: '1 Engine Way', city: 'Denver', country: 'United States' },
			customFields: [{ __typename: 'CustomFieldText', label: 'External ID', valueText: 'hs-123', customFieldConfiguration: { id: externalId, name: 'External ID' } }],
		});
		expect(client.clientProperties.nodes).toHaveLength(1);
		expect(client.createdAt).toBe(client.updatedAt);
		const stored = (await h.admin('GET', '/_sandbox/records/clients')).body[0];
		expect(stored.leadSource).toBe('FluxCascade Sync');
	});

	it.each([
		['no name at all', { emails: [{ address: 'x@example.com' }] }, [{ message: 'Client must have a first name, last name, or company name', path: ['firstName'] }]],
		['an invalid email', { firstName: 'A', emails: [{ address: 'jane@@example.com' }] }, [{ message: 'Email address is invalid', path: ['emails', '0', 'address'] }]],
		['a property without an address', { firstName: 'A', properties: [{}] }, [{ message: "Property address can't be blank", path: ['properties', '0', 'address'] }]],
		['an over-long name', { firstName: 'A'.repeat(256) }, [{ message: 'First name is too long (maximum is 255 characters)', path: ['firstName'] }]],
		['a company without company name', { firstName: 'A', isCompany: true }, [{ message: "Company name can't be blank when the client is a company", path: ['companyName'] }]],
		['an unknown custom field configuration', { firstName: 'A', customFields: [{ customFieldConfigurationId: encodeId('CustomFieldConfiguration', 999), valueText: 'x' }] }, [{ message: 'Custom field configuration could not be found', path: ['customFields', '0', 'customFieldConfigurationId'] }]],
	])('answers %s with userErrors and writes nothing', async (_label, input, expected) => {
		const res = await h.gql(CREATE, { input });
		expect(res.status).toBe(200);
		expect(res.body.data.clientCreate).toEqual({ client: null, userErrors: expected });
		expect(await count('clients')).toBe(0);
		expect(await count('properties')).toBe(0);
	});
});

describe('clientEdit', () => {
	async function seedOne() {
		const res = await h.gql(CREATE, {
			input: { firstName: 'Grace', lastName: 'Hopper', emails: [{ address: 'grace@example.com', primary: true }], phones: [{ number: '617-555-0100', description: 'WORK', primary: true }] },
		});
		return res.body.data.clientCreate.client;
	}

	it('adds, edits and deletes emails and phones, sets the billing address and custom fields, and bumps updatedAt', async () => {
		const client = await seedOne();
		h.ctx.clock.advance(5_000);
		const dropdown = await config('Preferred contact', 'ALL_CLIENTS');
		const res = await h.gql(EDIT, {
			id: client.id,
			input: {
				emailsToAdd: [{ address: 'g.hopper@navy.example', description: 'WORK', primary: true }],
				emailsToEdit: [{ id: client.emails[0].id, address: 'grace.hopper@example.com' }],
				phonesToDelete: [client.phones[0].id],
				phonesToAdd: [{ number: '617-555-0199', description: 'MOBILE' }],
				billingAddress: { city: 'Arlington', province: 'VA' },
				customFields: [{ customFieldConfigurationId: dropdown, valueDropdown: 'Phone' }],
			},
		});
		const { client: edited, userErrors } = res.body.data.clientEdit;
		expect(userErrors).toEqual([]);
		expect(edited.emails).toEqual([
			{ id: client.emails[0].id, address: 'grace.hopper@example.com', description: 'MAIN', primary: false },
			{ id: expect.any(String), address: 'g.hopper@navy.example', description: 'WORK', primary: true },
		]);
		expect(edited.phones).toEqual([{ id: expect.any(String), number: '617-555-0199', description: 'MOBILE', primary: true, smsAllowed: false }]);
		expect(edited.billingAddress).toMatchObject({ city: 'Arlington', province: 'VA', street1: '' });
		expect(Date.parse(edited.updatedAt) - Date.parse(client.updatedAt)).toBeGreaterThanOrEqual(4_000);
		const stored = (await h.admin('GET', '/_sandbox/records/clients')).body[0];
		expect(stored.customFields).toEqual([expect.objectContaining({ label: 'Preferred contact', valueType: 'DROPDOWN', value: 'Phone' })]);
	});

	it('refuses ids of another client, bad values and unknown dropdown options without writing anything', async () => {
		const client = await seedOne();
		const other = (await h.gql(CREATE, { input: { firstName: 'Other', emails: [{ address: 'other@example.com' }] } })).body.data.clientCreate.client;
		const dropdown = await config('Preferred contact', 'ALL_CLIENTS');
		const before = JSON.stringify((await h.admin('GET', '/_sandbox/records/clients')).body);
		const res = await h.gql(EDIT, {
			id: client.id,
			input: {
				firstName: 'Changed',
				emailsToDelete: [other.emails[0].id],
				emailsToAdd: [{ address: 'no-at-sign.example.com' }],
				customFields: [{ customFieldConfigurationId: dropdown, valueDropdown: 'Carrier pigeon' }],
			},
		});
		expect(res.body.data.clientEdit.client).toBeNull();
		expect(res.body.data.clientEdit.userErrors.map((e: any) => e.path)).toEqual([['emailsToDelete', '0'], ['emailsToAdd', '0', 'address'], ['customFields', '0', 'valueDropdown']]);
		expect(JSON.stringify((await h.admin('GET', '/_sandbox/records/clients')).body)).toBe(before);
	});

	it('answers an unknown client with a userError', async () => {
		const res = await h.gql(EDIT, { id: encodeId('Client', 404), input: { firstName: 'X' } });
		expect(res.body.data.clientEdit).toEqual({ client: null, userErrors: [{ message: 'Client not found', path: ['clientId'] }] });
	});
});

describe('properties, requests, quotes, jobs and invoices', () => {
	it('runs the field-service chain: property → request → quote → job → invoice', async () => {
		const client = (await h.gql(CREATE, { input: { firstName: 'Chain', lastName: 'Test' } })).body.data.clientCreate.client;
		const prop = await h.gql('mutation($c: EncodedId!, $input: PropertyCreateInput!) { propertyCreate(clientId: $c, input: $input) { properties { id address { street1 city } } userErrors { message path } } }', {
			c: client.id,
			input: { properties: [{ address: { street1: '9 Elm St', city: 'Austin', province: 'TX', postalCode: '78701', country: 'United States' } }] },
		});
		const propertyId = prop.body.data.propertyCreate.properties[0].id;
		const noAddress = await h.gql('mutation($c: EncodedId!, $input: PropertyCreateInput!) { propertyCreate(clientId: $c, input: $input) { properties { id } userErrors { message path } } }', { c: client.id, input: { properties: [{ address: {} }] } });
		expect(noAddress.body.data.propertyCreate.userErrors[0].path).toEqual(['properties', '0', 'address']);
		const edited = await h.gql('mutation($p: EncodedId!, $input: PropertyEditInput!) { propertyEdit(propertyId: $p, input: $input) { property { address { street1 city } } userErrors { message path } } }', { p: propertyId, input: { address: { street1: '11 Elm St' } } });
		expect(edited.body.data.propertyEdit.property.address).toEqual({ street1: '11 Elm St', city: 'Austin' });

		const request = await h.gql('mutation($input: RequestCreateInput!) { requestCreate(input: $input) { request { id title requestStatus client { id } property { id } } userErrors { message path } } }', { input: { clientId: client.id, title: 'Leaky faucet' } });
		expect(request.body.errors).toBeUndefined();
		expect(request.body.data.requestCreate.request).toMatchObject({ title: 'Leaky faucet', requestStatus: 'new', client: { id: client.id }, property: { id: propertyId } });

		const quote = await h.gql('mutation($a: QuoteCreateAttributes!) { quoteCreate(attributes: $a) { quote { id quoteNumber quoteStatus amounts { subtotal total } lineItems { nodes { name quantity unitPrice totalPrice } } } userErrors { message path } } }', {
			a: { clientId: client.id, propertyId, title: 'Faucet repair', lineItems: [{ name: 'Faucet', unitPrice: 120, quantity: 1, saveToProductsAndServices: false }, { name: 'Labour', unitPrice: 80, quantity: 1.5, saveToProductsAndServices: false }] },
		});
		const q = quote.body.data.quoteCreate.quote;
		expect(q).toMatchObject({ quoteNumber: '1', quoteStatus: 'draft', amounts: { subtotal: 240, total: 240 } });

		const JOB = 'mutation($input: JobCreateAttributes!) { jobCreate(input: $input) { job { id jobNumber title jobStatus jobType total client { id isLead } property { id } quote { id quoteStatus } } userErrors { message path } } }';
		const noInvoicing = await h.gql(JOB, { input: { propertyId, title: 'Fix it' } });
		expect(noInvoicing.body.errors[0]).toMatchObject({
			message: 'Variable $input of type JobCreateAttributes! was provided invalid value for invoicing (Expected value to not be null)',
			extensions: { problems: [{ path: ['invoicing'], explanation: 'Expected value to not be null' }] },
		});
		const job = await h.gql(JOB, {
			input: {
				propertyId,
				quoteId: q.id,
				title: 'Fix it',
				invoicing: { invoicingType: 'FIXED_PRICE', invoicingSchedule: 'ON_COMPLETION' },
				lineItems: [{ name: 'Faucet', unitPrice: 120, quantity: 1, saveToProductsAndServices: false }],
			},
		});
		const j = job.body.data.jobCreate.job;
		expect(job.body.data.jobCreate.userErrors).toEqual([]);
		expect(j).toMatchObject({ jobNumber: 1, jobStatus: 'unscheduled', jobType: 'ONE_OFF', total: 120, client: { id: client.id, isLead: false }, property: { id: propertyId }, quote: { id: q.id, quoteStatus: 'converted' } });
		const badProperty = await h.gql(JOB, { input: { propertyId: encodeId('Property', 999), invoicing: { invoicingType: 'FIXED_PRICE', invoicingSchedule: 'ON_COMPLETION' } } });
		expect(badProperty.body.data.jobCreate).toEqual({ job: null, userErrors: [{ message: 'Property not found', path: ['propertyId'] }] });

		const jobEdit = await h.gql('mutation($id: EncodedId!, $input: JobEditInput!) { jobEdit(jobId: $id, input: $input) { job { title instructions } userErrors { message path } } }', { id: j.id, input: { title: 'Fix the faucet', instructions: 'Shut off water first' } });
		expect(jobEdit.body.data.jobEdit.job).toEqual({ title: 'Fix the faucet', instructions: 'Shut off water first' });

		// origin INTEGRATIONS is newer than the 2023 dump, so it travels as a variable value.
		const INVOICE = 'mutation($id: EncodedId!, $origin: InvoiceOrigin!) { invoiceCreateFromJob(jobId: $id, origin: $origin) { invoice { id invoiceNumber invoiceStatus subject amounts { total } client { id } jobs { nodes { id } } } userErrors { message path } } }';
		const invoice = await h.gql(INVOICE, { id: j.id, origin: 'INTEGRATIONS' });
		expect(invoice.body.data.invoiceCreateFromJob.invoice).toMatchObject({ invoiceNumber: '1', invoiceStatus: 'draft', amounts: { total: 120 }, client: { id: client.id }, jobs: { nodes: [{ id: j.id }] } });
		// Not idempotent: nothing is left to bill the second time.
		const again = await h.gql(INVOICE, { id: j.id, origin: 'INTEGRATIONS' });
		expect(again.body.data.invoiceCreateFromJob).toEqual({ invoice: null, userErrors: [{ message: 'There is nothing left to invoice on this job', path: ['jobId'] }] });
		expect(await count('invoices')).toBe(1);

		const byClient = await h.gql('query($id: EncodedId!) { client(id: $id) { jobs(first: 5) { nodes { id } } quotes(first: 5) { nodes { id } } requests(first: 5) { nodes { id } } invoices(first: 5) { nodes { id } } clientProperties(first: 5) { totalCount } } }', { id: client.id });
		expect(byClient.body.data.client).toMatchObject({ jobs: { nodes: [{ id: j.id }] }, quotes: { nodes: [{ id: q.id }] }, clientProperties: { totalCount: 1 } });
	});
});
