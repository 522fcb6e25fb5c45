/** The HubSpot connector: contacts, companies, deals and their associations (see connector.ts). */
export { HubSpotConnector, pathsFor, type HubSpotConnectorOptions, type GetOptions, type ListOptions, type ReadOptions, type AssociationPair, type AssociationResult } from './connector';
export { BATCH_LIMIT, type BatchOperation, type BatchOptions, type HubSpotWriteResult } from './batch';
export { SEARCH_PAGE_LIMIT, SEARCH_RESULT_CAP, type HubSpotChangesOptions } from './changes';
export { HubSpotClient, type ClientOptions, type ClientStats } from './client';
export { classifyAll, classifyResponse, isWholeRequestError, propertyProblems, type PropertyProblem } from './errors';
export { ASSOCIATION_TYPES, associationTypeId, HUBSPOT_OBJECTS, hubspotObject, OBJECT_FACTS, type HubSpotObject } from './objects';
export { matchValue, toEnvelope, toProperties, toWireValue, type HubSpotRecord } from './records';
export { ownerLabel, toFieldInfo, type HubSpotProperty, type Owner, type Pipeline } from './schema';
export * from './webhooks';
