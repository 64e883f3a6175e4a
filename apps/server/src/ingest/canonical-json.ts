// The hash the agent cuts deltas with is the hash the server stores: one definition, in the protocol.
export { canonicalJson, contentHash, sectionHashes, type SectionHashMap } from '@fleetmedic/protocol/hash';
