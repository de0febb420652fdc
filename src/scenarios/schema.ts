/** The scenario file format and engine live in journeys/ (they run the certification catalogue too); kept here for importers. */
export * from '../journeys/scenario/schema.js';
