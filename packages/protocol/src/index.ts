export * from './section.js';
export * from './facts.js';
export * from './snapshot.js';
export * from './commands.js';
export * from './findings.js';
export * from './messages.js';
export * from './validate.js';
export * from './api.js';
