/**
 * The operations every resource offers. Salesforce treats every sObject the same way, so one
 * implementation per operation serves Contact, Account, Lead, Opportunity and custom objects alike.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { SalesforceConnector } from '../../../../connectors/salesforce';
import type { Operation } from '../common';
import * as batchWrite from './batchWrite.operation';
import * as create from './create.operation';
import * as del from './delete.operation';
import * as find from './find.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as getChanges from './getChanges.operation';
import * as update from './update.operation';
import * as upsert from './upsert.operation';

export interface OperationModule {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, connector: SalesforceConnector): Promise<INodeExecutionData[][]>;
}

export const operations: Record<Operation, OperationModule> = { batchWrite, create, delete: del, find, get, getAll, getChanges, update, upsert };

export const description: INodeProperties[] = Object.values(operations).flatMap((o) => o.description);
