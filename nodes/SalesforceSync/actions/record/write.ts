/** Reading write parameters for an item: fields (read-only ones dropped when asked) and options. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { SalesforceConnector, SalesforceWriteOptions } from '../../../../connectors/salesforce';
import { inputFields } from '../common';

export interface WriteParams {
	fields: Record<string, unknown>;
	options: SalesforceWriteOptions;
}

export async function writeParams(
	ctx: IExecuteFunctions,
	connector: SalesforceConnector,
	i: number,
	object: string,
	mode: 'create' | 'update' | 'upsert' | 'delete',
): Promise<WriteParams> {
	const raw = ctx.getNodeParameter('writeOptions', i, {}) as IDataObject;
	const options: SalesforceWriteOptions = {
		readBack: raw.readBack === true,
		allowDuplicateSave: raw.allowDuplicateSave === true,
		createIfMissing: raw.createIfMissing === true,
	};
	if (mode === 'delete') return { fields: {}, options };
	let fields = inputFields(ctx, i, ctx.getInputData()[i].json);
	if (raw.dropReadOnly !== false) fields = (await connector.writableFields(object, fields, mode)).fields;
	return { fields, options };
}
